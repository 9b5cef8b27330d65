# The portal's image: one image for web, worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/app/var

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --no-input \
    && useradd --create-home network && mkdir -p /app/var && chown network /app/var
USER network

EXPOSE 8000
# gunicorn.conf.py (copied above) sets the worker model: gthread, 4 processes x 2 threads,
# sized for 2 cores. Pages mostly wait on PostgreSQL, Redis and object storage, so threads
# keep 8 requests in flight per container where 2 sync workers would queue all but 2; two
# processes per core keep both cores busy however the proxy's kept-alive connections
# fall on them.
# WEB_CONCURRENCY and GUNICORN_THREADS change the counts for a larger machine.
CMD ["gunicorn", "network.wsgi"]
