"""Profile image processing and media storage: no GraphQL, no database."""

from media.images import (
    MAX_PIXELS,
    MAX_UPLOAD_BYTES,
    SIZES,
    InvalidImage,
    ProcessedImage,
    Rendition,
    process_profile_image,
    rendition_name,
    rendition_names,
)
from media.storage import (
    InvalidMediaName,
    LocalMediaStorage,
    MediaStorage,
    S3MediaStorage,
    storage_from_settings,
)

__all__ = [
    "MAX_PIXELS",
    "MAX_UPLOAD_BYTES",
    "SIZES",
    "InvalidImage",
    "InvalidMediaName",
    "LocalMediaStorage",
    "MediaStorage",
    "ProcessedImage",
    "Rendition",
    "S3MediaStorage",
    "process_profile_image",
    "rendition_name",
    "rendition_names",
    "storage_from_settings",
]
