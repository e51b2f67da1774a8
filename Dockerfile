FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/interview.db \
    CONTENT_DIR=/app/content

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . && useradd --create-home --uid 10001 interview \
    && mkdir -p /data && chown interview:interview /data
COPY content ./content

USER interview
VOLUME ["/data"]
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s \
    CMD python -m bot db check >/dev/null || exit 1
CMD ["python", "-m", "bot", "run"]
