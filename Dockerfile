FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/interview.db \
    CONTENT_DIR=/app/content \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=8080

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . && useradd --create-home --uid 10001 interview \
    && mkdir -p /data && chown interview:interview /data
COPY content ./content

USER interview
VOLUME ["/data"]
EXPOSE 8080
# /healthz answers 200 only while the gateway is connected and the database answers.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=5)" || exit 1
CMD ["python", "-m", "bot", "run"]
