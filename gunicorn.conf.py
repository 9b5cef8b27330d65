"""gunicorn's settings for the portal's web processes, read from the working directory by
`gunicorn network.wsgi` (the Dockerfile and docker-compose.yml run exactly that).

Worker model: gthread, 2 processes x 4 threads on a 2-core machine.
- A page spends much of its time waiting on PostgreSQL, Redis and object storage (a
  download streamed from the bucket waits on it for its whole length). With sync
  workers each of those waits holds a whole process, so 2 sync workers serve 2 requests
  at once and everyone else queues (measured: p50 1.0-1.6 s with 100 members at once).
  Four threads per process keep 8 requests in flight while one of them waits.
- Rendering is CPU work under the GIL, so more than one process per core buys nothing
  but memory; 2 processes use both cores.
- gevent would need psycopg2 and every client library patched for green threads, and a
  CPU-bound render would stall every request of its process; threads need neither.
Django is thread-safe per request, and each thread keeps its own database connection
(CONN_MAX_AGE), so a node holds at most workers x threads connections: size PostgreSQL
(or PgBouncer) for nodes x 8.
https://docs.gunicorn.org/en/stable/design.html#how-many-workers
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request that takes longer than this is stuck: the worker is replaced.
timeout = 30
# Behind the proxy, which keeps connections open to the web nodes.
keepalive = 5
# Recycle a process now and then, so a slow leak never grows without bound; the jitter
# keeps the processes of one node from restarting together.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file on tmpfs: a container's overlay disk can stall it.
# https://docs.gunicorn.org/en/stable/faq.html#blocking-os-fchmod
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
# gunicorn's control socket (for `gunicornc`) is not used here, and its default path is
# one per user: a second gunicorn on the same machine (two web nodes in the tests, the
# portal beside bench/load.py's baseline) would find it taken and warn.
control_socket_disable = True
