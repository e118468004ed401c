"""A process-wide budget for decoding images (issue 13: six parallel uploads of an
84 KB PNG declaring 5000 x 5000 pixels took the server from 118 MB to 1.9 GB).

Pillow's `MAX_IMAGE_PIXELS` caps one image; it is no bound across requests. A
decode holds several full-size copies of the image (decoded, converted to sRGB,
cropped, resized), so memory follows the pixels being decoded at once. Before an
upload is decoded (in a worker thread, off the event loop), it reserves its
declared pixel count here; while the budget or the slots are in use, it waits,
and past `wait_seconds` it is refused (`RATE_LIMITED`). Peak memory is then about
`pixels` times the bytes a decode holds per pixel, whatever the number of
parallel uploads (bench/memory_floods.py measures it). Decodes run on the
budget's own threads, one per slot, so the memory a decode frees is reused by
the next one instead of lingering in another thread's allocator arena."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class DecodeBusy(Exception):
    """The budget stayed full for longer than a request may wait."""


class DecodeBudget:
    def __init__(self, pixels: int, slots: int, wait_seconds: float) -> None:
        if pixels <= 0 or slots <= 0:
            raise ValueError("a decode budget needs pixels and slots")
        self.pixels = pixels
        self.slots = slots
        self.wait_seconds = wait_seconds
        self._in_use = 0
        self._decoding = 0
        # High-water marks: what the budget has let through at once.
        self.peak_pixels = 0
        self.peak_decoding = 0
        self._changed: asyncio.Condition | None = None
        self._threads = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="image-decode")

    def _fits(self, pixels: int) -> bool:
        # An image larger than the whole budget still runs, alone.
        return self._decoding < self.slots and (self._in_use == 0 or self._in_use + pixels <= self.pixels)

    @contextlib.asynccontextmanager
    async def reserve(self, pixels: int) -> AsyncIterator[None]:
        """Holds `pixels` of the budget and one slot for the block's duration."""
        if self._changed is None:
            self._changed = asyncio.Condition()
        changed = self._changed
        async with changed:
            try:
                await asyncio.wait_for(changed.wait_for(lambda: self._fits(pixels)), self.wait_seconds)
            except TimeoutError:
                raise DecodeBusy from None
            self._in_use += pixels
            self._decoding += 1
            self.peak_pixels = max(self.peak_pixels, self._in_use)
            self.peak_decoding = max(self.peak_decoding, self._decoding)
        try:
            yield
        finally:
            async with changed:
                self._in_use -= pixels
                self._decoding -= 1
                changed.notify_all()

    async def decode(self, pixels: int, func: Callable[[], T]) -> T:
        """`func()` on one of the budget's threads, once `pixels` are reserved."""
        async with self.reserve(pixels):
            return await asyncio.get_running_loop().run_in_executor(self._threads, func)
