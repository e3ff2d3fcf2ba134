# Production image: small, non-root, runs migrations and then the server.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY app ./app
# Dependencies only: the code itself runs from /app, beside static/ and migrations/.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install -c constraints.txt . \
 && /opt/venv/bin/pip uninstall -y trinvis

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TRINVIS_ENV=production \
    TRINVIS_LOG_FORMAT=json \
    PYTHONPATH=/app
RUN groupadd --system trinvis && useradd --system --gid trinvis --home /app --shell /usr/sbin/nologin trinvis
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY alembic.ini ./
COPY migrations ./migrations
COPY static ./static
COPY app ./app
USER trinvis
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
# Migrations first (idempotent, safe with several replicas starting: Alembic runs in a
# transaction on PostgreSQL), then the server.
CMD ["sh", "-c", "python -m app.cli migrate && exec python -m app.cli serve --host 0.0.0.0 --port 8000"]
