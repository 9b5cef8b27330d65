"""Benchmark: send one realistic edition to N subscribers with real Celery workers.

Starts a local SMTP sink (aiosmtpd, in its own process, recording every recipient), then,
against PostgreSQL and Redis, freezes the audience and lets K Celery workers send it, and
prints:
- messages per second end to end, from "send" to the last delivery marked sent;
- the ceiling on this machine: plain smtplib sending identical pre-rendered bytes to the
  same sink, with the same parallelism and the same number of connections (one per chunk),
  measured in the same run;
- their ratio, the workers' peak memory (VmHWM), the recipients the sink saw missing or
  twice, and the machine's load (other work on the machine lowers both figures).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_bench \\
    REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/newsletter.py [-n 100000]

The database named in DATABASE_URL is created if missing and its newsletter tables are
emptied: never point it at a database you care about.
"""

import argparse
import multiprocessing
import os
import resource
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The SMTP sink ---------------------------------------------------------------------


def run_sink(port: int, record: str, ready) -> None:
    """An SMTP server that accepts everything and writes each recipient on a line."""
    from aiosmtpd.controller import Controller

    out = open(record, "a", buffering=1)  # noqa: SIM115 - open for the process's life

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            out.write("".join(f"{rcpt}\n" for rcpt in envelope.rcpt_tos))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    signal.sigwait([signal.SIGTERM])
    controller.stop()
    out.close()


def start_sink(port: int, record: str) -> multiprocessing.Process:
    ready = multiprocessing.Event()
    process = multiprocessing.Process(target=run_sink, args=(port, record, ready), daemon=True)
    process.start()
    if not ready.wait(15):
        raise RuntimeError("the SMTP sink did not start")
    return process


def stop_sink(process: multiprocessing.Process) -> None:
    process.terminate()
    process.join(10)


# --- The plain smtplib ceiling -----------------------------------------------------------


def _ceiling_worker(port: int, raw: bytes, sender: str, recipients: list[str], per_conn: int):
    for start in range(0, len(recipients), per_conn):
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for rcpt in recipients[start : start + per_conn]:
                smtp.sendmail(sender, [rcpt], raw)


def ceiling(port: int, raw: bytes, sender: str, recipients: list[str], parallel: int, per_conn):
    shares = [recipients[i::parallel] for i in range(parallel)]
    processes = [
        multiprocessing.Process(target=_ceiling_worker, args=(port, raw, sender, share, per_conn))
        for share in shares
    ]
    began = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return time.perf_counter() - began


# --- Set-up ------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    connection.close()


def make_edition(n: int):
    """An edition like a real one (introduction, featured resources, free text), and N
    subscribers to its newsletter, inserted in bulk."""
    from django.db import connection
    from django.utils import timezone

    from members.access import AccessLevel
    from newsletter.models import Edition, Newsletter, Section, Subscriber
    from newsletter.rendering import edition_prepare, section_html
    from practice_library.models import Resource, ResourceStatus, ResourceType

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE newsletter_delivery, newsletter_section_resources, newsletter_section, "
            "newsletter_edition, newsletter_subscriber_newsletters, newsletter_subscriber_topics, "
            "newsletter_consent, newsletter_digestdelivery, newsletter_subscriber, "
            "newsletter_newsletter RESTART IDENTITY CASCADE"
        )
    newsletter = Newsletter.objects.create(name="The network newsletter", slug="bench")
    kind, _ = ResourceType.objects.get_or_create(slug="practice-guide", name="Practice guide")
    resources = []
    for i, (title, level) in enumerate(
        [
            ("Staying Close: what works in the first year", AccessLevel.PUBLIC),
            ("Leading a home to outstanding: five registered managers", AccessLevel.MEMBERS),
            ("Commissioning for sufficiency: a model framework contract", AccessLevel.MEMBERS),
        ]
    ):
        resource, _ = Resource.objects.get_or_create(
            slug=f"bench-resource-{i}",
            defaults={
                "title": title,
                "resource_type": kind,
                "access_level": level,
                "status": ResourceStatus.PUBLISHED,
                "published_at": timezone.now(),
                "summary": "What the fictional homes in this study did differently, and "
                "the questions a registered manager can ask of their own practice.",
            },
        )
        resources.append(resource)
    edition = Edition(
        newsletter=newsletter,
        subject="Staying Close, inspection and the workforce: November",
        preheader="Three practice guides, a commissioning template and news from the forum.",
        introduction=(
            "Welcome to this month's newsletter. **Three things** stood out:\n\n"
            "- the first year of Staying Close in two fictional homes;\n"
            "- what inspectors look for in leadership;\n"
            "- a model framework contract for councils.\n\n"
            "As always, tell us what you would like to read about."
        ),
    )
    edition_prepare(edition)
    edition.save()
    library = Section.objects.create(
        edition=edition, order=1, kind=Section.Kind.RESOURCES, title="From the library"
    )
    library.resources.set(resources)
    for order, title in [(2, "From the forum"), (3, "Events")]:
        section = Section(
            edition=edition,
            order=order,
            title=title,
            body="Members compared notes on Regulation 44 visits and on keeping in touch "
            "with young people after they leave. [Join the conversation]"
            "(https://network.example.org/forum/).",
        )
        section.body_html = section_html(section)
        section.save()

    through = Subscriber.newsletters.through
    batch = 5000
    for start in range(0, n, batch):
        rows = [
            Subscriber(
                email=f"reader{i}@bench.example.org",
                name=f"Reader {i}" if i % 3 else "",
                state=Subscriber.State.SUBSCRIBED,
            )
            for i in range(start, min(n, start + batch))
        ]
        created = Subscriber.objects.bulk_create(rows)
        through.objects.bulk_create(
            [through(subscriber_id=s.pk, newsletter_id=newsletter.pk) for s in created]
        )
    return edition


# --- Workers -----------------------------------------------------------------------------


def start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    from network.celery import app

    app.control.purge()
    workers = []
    for number in range(count):
        workers.append(
            subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "network", "worker",
                    "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
                    "--loglevel=WARNING", f"--hostname=bench{number}-{os.getpid()}@localhost",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
            )
        )  # fmt: skip
    names = [f"bench{number}-{os.getpid()}@localhost" for number in range(count)]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answered = app.control.ping(destination=names, timeout=1)
        if len(answered) == count:
            return workers
    raise RuntimeError("the workers did not start")


def peak_memory_mb(process: subprocess.Popen) -> float:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(process: subprocess.Popen) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="subscribers (default 100000)")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--chunk", type=int, default=500, help="deliveries per chunk task")
    parser.add_argument(
        "--kill-after",
        type=float,
        default=0,
        help="SIGKILL one worker this many seconds into the send (not replaced): the others "
        "take over its chunk once its lease lapses; compare the time with a run without",
    )
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "REDIS_URL"
    ):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark needs both.")
    port = free_port()
    record_dir = Path(tempfile.mkdtemp(prefix="newsletter-bench-"))
    record = record_dir / "edition.txt"
    record.touch()
    sink = start_sink(port, str(record))

    settings_env = {
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "NEWSLETTER_CHUNK_SIZE": str(args.chunk),
        "NEWSLETTER_PARALLEL_CHUNKS": str(args.workers),
        # The bench measures the engine, not the limit: a rate far above what it reaches.
        "NEWSLETTER_SEND_RATE_PER_MINUTE": "6000000",
        # Production settings, as workers run them (no query log kept per statement).
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "k" * 50),
        "ALLOWED_HOSTS": "localhost",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(settings_env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Max

    from newsletter import tasks as newsletter_tasks
    from newsletter.messages import MessageTemplate
    from newsletter.models import Delivery
    from newsletter.rendering import edition_render, personal_from
    from newsletter.sending import editions

    call_command("migrate", verbosity=0)
    print(f"Preparing {args.n:,} subscribers...", flush=True)
    edition = make_edition(args.n)

    workers = start_workers(args.workers, {**os.environ})
    idle_cpu = sum(cpu_seconds(worker) for worker in workers[1 if args.kill_after else 0 :])
    print(f"{args.workers} workers started; sending...", flush=True)
    began = time.time()
    editions.edition_send(edition=edition)
    killed_at = None
    # Beat's part in production: the sweep, enqueued every NEWSLETTER_SWEEP_SECONDS (no
    # beat runs here, so that no other scheduled task joins in).
    sweep_every = settings.CELERY_BEAT_SCHEDULE["newsletter-sweep"]["schedule"].total_seconds()
    next_sweep = time.time() + sweep_every
    while Delivery.objects.filter(
        edition=edition, state__in=[Delivery.State.PENDING, Delivery.State.SENDING]
    ).exists():
        if args.kill_after and killed_at is None and time.time() - began >= args.kill_after:
            victim = workers.pop(0)
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            killed_at = time.time() - began
            print(f"worker killed {killed_at:.1f} s into the send", flush=True)
        if time.time() >= next_sweep:
            newsletter_tasks.deliveries_sweep.delay()
            next_sweep += sweep_every
        time.sleep(0.1 if args.kill_after else 0.5)
    last_sent = Delivery.objects.filter(edition=edition).aggregate(Max("sent_at"))["sent_at__max"]
    elapsed = last_sent.timestamp() - began
    peaks = [peak_memory_mb(worker) for worker in workers]
    worker_cpu = sum(cpu_seconds(worker) for worker in workers) - idle_cpu
    stop_workers(workers)
    edition.refresh_from_db()
    states = Counter(Delivery.objects.filter(edition=edition).values_list("state", flat=True))

    # The ceiling: the same message bytes, sent by plain smtplib to the same sink.
    html, text = edition_render(edition)
    template = MessageTemplate(edition=edition, html=html, text=text)
    raw = template.copy_bytes(
        to="reader1@bench.example.org",
        personal=personal_from(key="bench-key", name="Reader 1"),
        message_id="<bench.1@network.example.org>",
    )
    ceiling_recipients = [f"reader{i}@ceiling.example.org" for i in range(args.n)]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    ceiling_seconds = ceiling(
        port, raw, settings.DEFAULT_FROM_EMAIL, ceiling_recipients, args.workers, args.chunk
    )
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ceiling_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    time.sleep(0.5)
    stop_sink(sink)

    seen = Counter(
        line for line in record.read_text().splitlines() if line.endswith("@bench.example.org")
    )
    expected = {f"reader{i}@bench.example.org" for i in range(args.n)}
    missing = len(expected - set(seen))
    twice = sum(1 for count in seen.values() if count > 1)
    rate = args.n / elapsed
    ceiling_rate = args.n / ceiling_seconds
    load = os.getloadavg()
    print()
    print(f"edition status           {edition.status}; deliveries {dict(states)}")
    print(f"subscribers              {args.n:,}")
    print(f"workers x chunk          {args.workers} x {args.chunk}")
    if killed_at is not None:
        print(
            f"killed                   one worker {killed_at:.1f} s in; lease "
            f"{settings.NEWSLETTER_LEASE_SECONDS} s, sweep every {sweep_every:.0f} s"
        )
    print(f"message size             {len(raw):,} bytes")
    print(f"end to end               {elapsed:.1f} s, {rate:,.0f} messages/s")
    print(f"smtplib ceiling          {ceiling_seconds:.1f} s, {ceiling_rate:,.0f} messages/s")
    print(f"ratio                    {rate / ceiling_rate:.2f}")
    print(
        f"CPU per message          workers {worker_cpu / args.n * 1e6:,.0f} µs, "
        f"smtplib clients {ceiling_cpu / args.n * 1e6:,.0f} µs"
    )
    print(f"worker peak memory       {', '.join(f'{p:.0f} MB' for p in peaks)}")
    print(f"sink: missing / twice    {missing} / {twice}")
    print(f"load average (1, 5, 15)  {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    main()
