"""Faults in service mode: a worker killed mid-send, and Redis stopped mid-send.

Real Celery worker processes send through SMTP to a sink in this process. After the fault
a new worker starts and the sweeper runs; then every recipient must have been received,
none twice except at most the one message in flight at the moment of the fault, and
every delivery must end in a final state. Skipped on the embedded default (no workers).
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from django.conf import settings
from django.db import transaction

from newsletter.models import Delivery, Edition
from newsletter.sending import claims, editions
from tests.conftest import SERVICE_MODE, _worker_database_url
from tests.newsletter.factories import EditionFactory, subscribers

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not SERVICE_MODE, reason="needs PostgreSQL, Redis and real workers"),
    pytest.mark.django_db(transaction=True),
]

BASE_DIR = Path(settings.BASE_DIR)
RECIPIENTS = 120
CHUNK = 20
LEASE_SECONDS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """An SMTP server that records every recipient and can act after the k-th message."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.lock = threading.Lock()
        self.after: tuple[int, callable] | None = None
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.extend(envelope.rcpt_tos)
            count = len(self.received)
        if self.after and count == self.after[0]:
            self.after[1]()  # e.g. kill the worker before it hears "250"
        return "250 OK"


@pytest.fixture
def sink():
    sink = Sink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


class Workers:
    """Start `celery worker` processes sending to the sink; stop them all at the end."""

    def __init__(self, sink: Sink, sender, redis_url: str, log: Path) -> None:
        self.log = log.open("ab")  # read it when a test fails
        self.sender = sender
        self.sink = sink
        self.redis_url = redis_url
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        name = f"fault-{os.getpid()}-{len(self.processes)}@localhost"
        env = {
            **os.environ,
            "DATABASE_URL": _worker_database_url(),
            "REDIS_URL": self.redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.sink.port}",
            "NEWSLETTER_CHUNK_SIZE": str(CHUNK),
            "NEWSLETTER_PARALLEL_CHUNKS": "1",
            "NEWSLETTER_LEASE_SECONDS": str(LEASE_SECONDS),
            # Slow enough that a fault lands mid-send.
            "NEWSLETTER_SEND_RATE_PER_MINUTE": "1200",
        }
        env.pop("EMAIL_BACKEND", None)
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "network", "worker", "--pool=solo",
                "--without-gossip", "--without-mingle", "--loglevel=WARNING",
                f"--hostname={name}",
            ],
            cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.sender.control.ping(destination=[name], timeout=0.5):
                return process
        raise RuntimeError("the worker did not start")

    def stop(self) -> None:
        # Called once the deliveries are final (or the test failed): nothing is left for
        # a warm shutdown to finish, and it would wait out the broker's poll.
        for process in self.processes:
            if process.poll() is None:
                process.kill()
        for process in self.processes:
            process.wait()
        self.log.close()


def sender_for(redis_url: str) -> Celery:
    """A Celery client of its own for this test's broker; the project's app stays eager."""
    # Not the current app: shared tasks queued later by other tests would follow it to this
    # test's broker, which is gone by then.
    app = Celery("fault-test", broker=redis_url, set_as_current=False)
    app.conf.broker_connection_retry_on_startup = True
    app.control.purge()
    return app


def nudge(sender: Celery, edition_id: int) -> None:
    sender.send_task("newsletter.tasks.edition_send_chunk", args=[edition_id])


@pytest.fixture
def send_through(monkeypatch, settings):
    """Make editions.edition_send queue its chunk tasks on `sender`'s broker."""
    settings.NEWSLETTER_CHUNK_SIZE = CHUNK
    settings.NEWSLETTER_PARALLEL_CHUNKS = 1

    def use(sender: Celery) -> None:
        def _nudge(edition_id: int, times: int) -> None:
            for _ in range(times):
                transaction.on_commit(lambda: nudge(sender, edition_id))

        monkeypatch.setattr(editions, "_nudge", _nudge)

    return use


def wait_until_done(edition: Edition, sender: Celery, *, seconds: float = 90) -> None:
    """Run the sweeper (as beat would, but every two seconds) until nothing is left."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        unfinished = Delivery.objects.filter(
            edition=edition, state__in=[Delivery.State.PENDING, Delivery.State.SENDING]
        )
        if not unfinished.exists():
            return
        for edition_id in claims.deliveries_sweep():
            nudge(sender, edition_id)
        time.sleep(2)
    raise AssertionError(f"still unfinished: {dict(Counter(unfinished.values_list('state')))}")


def check_everyone_once(sink: Sink, emails: list[str], edition: Edition) -> None:
    seen = Counter(sink.received)
    assert not set(emails) - set(seen), "some recipients were never sent the edition"
    twice = [email for email, count in seen.items() if count > 1]
    assert len(twice) <= 1, f"more than the one in flight went out twice: {twice}"
    assert all(count <= 2 for count in seen.values())
    states = set(Delivery.objects.filter(edition=edition).values_list("state", flat=True))
    assert states == {Delivery.State.SENT}
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT


def test_a_worker_killed_mid_send_loses_nothing_and_repeats_at_most_one(
    sink, send_through, newsletter, tmp_path
):
    people = subscribers(newsletter, RECIPIENTS)
    emails = [p.email for p in people]
    edition = EditionFactory(newsletter=newsletter)
    sender = sender_for(settings.REDIS_URL)
    send_through(sender)
    workers = Workers(sink, sender, settings.REDIS_URL, tmp_path / "workers.log")
    try:
        first = workers.start()
        sink.after = (35, lambda: os.kill(first.pid, signal.SIGKILL))
        editions.edition_send(edition=edition)
        first.wait(60)
        assert first.returncode == -signal.SIGKILL
        assert len(sink.received) < RECIPIENTS

        workers.start()
        time.sleep(LEASE_SECONDS + 1)  # the dead worker's lease runs out
        wait_until_done(edition, sender)
    finally:
        workers.stop()

    check_everyone_once(sink, emails, edition)


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own (so stopping it disturbs nobody else), with an
    append-only file so that what was queued survives the stop, as in production."""
    port = free_port()
    directory = tmp_path / "redis"
    directory.mkdir()
    command = [
        "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "yes", "--appendfsync", "always", "--dir", str(directory),
    ]  # fmt: skip

    class Server:
        url = f"redis://127.0.0.1:{port}/0"

        def start(self):
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    return
                except OSError:
                    time.sleep(0.05)
            raise RuntimeError("redis-server did not start")

        def stop(self):
            self.process.terminate()
            self.process.wait(10)

    server = Server()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def test_redis_stopped_mid_send_loses_nothing_and_repeats_at_most_one(
    sink, private_redis, send_through, newsletter, settings, tmp_path
):
    if not shutil_which("redis-server"):
        pytest.skip("redis-server is not installed")
    settings.REDIS_URL = private_redis.url  # the shared send bucket falls back without it
    people = subscribers(newsletter, RECIPIENTS)
    emails = [p.email for p in people]
    edition = EditionFactory(newsletter=newsletter)
    sender = sender_for(private_redis.url)
    send_through(sender)
    workers = Workers(sink, sender, private_redis.url, tmp_path / "workers.log")
    outage = threading.Event()

    def stop_redis_for_a_while():
        private_redis.stop()
        time.sleep(4)
        private_redis.start()
        outage.set()

    try:
        workers.start()
        sink.after = (35, lambda: threading.Thread(target=stop_redis_for_a_while).start())
        editions.edition_send(edition=edition)
        assert outage.wait(60), "the outage never happened"
        time.sleep(LEASE_SECONDS + 1)
        wait_until_done(edition, sender)
    finally:
        workers.stop()

    check_everyone_once(sink, emails, edition)


def shutil_which(name: str) -> str | None:
    import shutil

    return shutil.which(name)
