# Production image: small, non-root. It serves the app (CMD) or, with another command,
# runs `migrate` once or the `worker` (deploy/compose.yml runs each as its own service).
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
    TRINVIS_RUN_WORKER_IN_PROCESS=false \
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
# The app's liveness. The worker and the one-shot migrate service set their own
# (deploy/compose.yml): they serve no HTTP.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
# SIGTERM (Docker's stop) ends the open message streams and exits within a few seconds.
STOPSIGNAL SIGTERM
# Migrations are not run here: the compose file's one-shot `migrate` service runs them
# (under an advisory lock) before any app or worker starts.
CMD ["python", "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port", "8000"]
