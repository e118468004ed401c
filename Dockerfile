# syntax=docker/dockerfile:1
# The OwnerHub API server (docs/deploy.md, "Containers"). Built from the checkout:
#   docker build -t ownerhub .
# The same image runs the outbox sender (`ownerhub send-outbox --forever`) and
# `ownerhub migrate`; compose.yaml wires all three to PostgreSQL and Redis.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    ENVIRONMENT=production \
    LOG_FORMAT=json \
    MAIL_DIR=/var/lib/ownerhub/mail \
    MEDIA_DIR=/var/lib/ownerhub/media

# A user of its own, without a shell or a home: the server writes only below /var/lib/ownerhub.
RUN groupadd --system --gid 10001 ownerhub \
    && useradd --system --uid 10001 --gid ownerhub --no-create-home --shell /usr/sbin/nologin ownerhub \
    && install -d -o ownerhub -g ownerhub /var/lib/ownerhub /var/lib/ownerhub/mail /var/lib/ownerhub/media

# The package from the checkout (with tracing and S3 storage), mounted for the
# build only: no source tree stays in the image.
RUN --mount=type=bind,source=.,target=/src,rw \
    pip install --no-cache-dir "/src[otel,s3]"

# Numeric, so that an orchestrator can tell it is not root (runAsNonRoot).
USER 10001:10001
WORKDIR /var/lib/ownerhub
EXPOSE 8000

# Liveness only (/healthz); an orchestrator's readiness probe asks /readyz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

CMD ["ownerhub", "serve", "--host", "0.0.0.0", "--port", "8000", "--graceful-timeout", "20"]
