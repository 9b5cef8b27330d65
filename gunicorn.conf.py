"""gunicorn's settings for the portal's web processes, read from the working directory by
`gunicorn network.wsgi` (the Dockerfile and docker-compose.yml run exactly that).

Worker model: gthread, 4 processes x 2 threads on a 2-core machine.
- A page spends much of its time waiting on PostgreSQL, Redis and object storage (a
  download streamed from the bucket waits on it for its whole length). With sync
  workers each of those waits holds a whole process, so 2 sync workers serve 2 requests
  at once and everyone else queues (measured: p50 1.0-1.6 s with 100 members at once).
  Two threads per process keep a request in flight while another waits.
- Twice as many processes as cores: a connection the proxy keeps alive stays with the
  process that accepted it, and with one process per core the busy connections often
  all sat on one of them while the other core idled (four kept-alive connections, runs
  of 10 s: forum index 108-160 req/s, account 61-106; with 4 x 2, 120-181 and 74-116;
  100 members without pause, 75-87 req/s against 119). Rendering is CPU work under
  each process's GIL, so threads alone cannot use an idle core. The cost is memory:
  about 165 MB a process.
- Not reuse_port, though it spreads connections evenly: each process then listens on
  a socket of its own, and connections waiting on it when the process restarts are
  reset, which a proxy cannot retry for a POST (measured: failed requests under load).
- Not a gthread process that stops accepting while its threads are busy, though it too
  spreads connections evenly (every round 2+1+1 or 2+2 of 4): with 100 kept-alive
  members asking without a pause, a process's threads were busy almost all the time,
  so the members not yet connected waited in the kernel's queue while the others were
  served (p50 186 ms, p99 60.6 s of a 60 s run), and the member pages answered no
  faster on 2 cores (PostgreSQL shares them).
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
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A request that takes longer than this is stuck: the worker is replaced.
timeout = 30
# Behind the proxy, which keeps connections open to the web nodes.
keepalive = 5
# Recycle a process now and then, so a slow leak never grows without bound; the jitter
# keeps the processes of one node from restarting together. At 2,000 requests a process
# of a busy node restarted every few seconds.
max_requests = 20000
max_requests_jitter = 2000
# Load the site once, in the master, and fork every process from it (when_ready below
# imports the views too): a new process then only compiles its templates and opens its
# connections, about 0.4 s of CPU against 2.3 s when each process imported Django and
# the views itself (measured: one process, the first request of eight pages). Nothing
# opens a connection while loading, so no process inherits one. New code needs a new
# master (a deploy starts new containers); `kill -HUP` only replaces the processes.
preload_app = True
# The heartbeat file on tmpfs: a container's overlay disk can stall it.
# https://docs.gunicorn.org/en/stable/faq.html#blocking-os-fchmod
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No access log of gunicorn's own: network.middleware.RequestLogMiddleware writes the
# one line per request (with its id, duration and user) that the logs are read by.
accesslog = None
# gunicorn's control socket (for `gunicornc`) is not used here, and its default path is
# one per user: a second gunicorn on the same machine (two web nodes in the tests, the
# portal beside bench/load.py's baseline) would find it taken and warn.
control_socket_disable = True


def when_ready(server) -> None:
    """In the master, before the first fork, what each process otherwise did at its first
    request: import the URLconf (and with it every app's URLs and views) and build the
    table reverse() looks names up in."""
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 (the property builds the table)
