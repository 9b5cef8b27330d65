"""Fixtures for every test: one person per role, a temporary MEDIA_ROOT, fast hashing,
and (in service mode) a real Celery worker.

Roles follow members/access.py: anonymous, registered, member of each type (personal,
seat, staff grant), lapsed, org admin, moderator, editor, staff.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from tests import flush, roles

if settings.USING_POSTGRES:
    flush.delete_rather_than_truncate()

SERVICE_MODE = not settings.CELERY_TASK_ALWAYS_EAGER
BASE_DIR = Path(settings.BASE_DIR)
WORKER_START_SECONDS = 90


def pytest_configure(config):
    """Under pytest-xdist, each worker process gets a Redis database of its own.

    Tests clear the cache (a FLUSHDB on Redis) and purge the broker; neither may reach
    the tests another process is running. pytest-django already gives each process a
    database of its own.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not settings.REDIS_URL:
        return
    parts = urlsplit(settings.REDIS_URL)
    base = int(parts.path.strip("/") or 0)
    url = urlunsplit(parts._replace(path=f"/{(base - int(worker.removeprefix('gw'))) % 16}"))
    os.environ["REDIS_URL"] = url  # for the worker processes that tests start
    settings.REDIS_URL = url
    settings.CACHES["default"]["LOCATION"] = url
    settings.CELERY_BROKER_URL = url
    from network.celery import app

    app.conf.broker_url = url


def pytest_collection_modifyitems(items):
    # Tests that start Celery workers run one after another in one process: each starts
    # and stops workers of its own, and two at once would only compete for two cores.
    for item in items:
        if item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.xdist_group("celery-workers"))


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SENDFILE_ROOT = str(tmp_path / "media" / "protected")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _tasks_run_in_process_unless_testing_the_worker(request):
    """In service mode too, tasks run eagerly in the test process, except in tests that
    use a real worker (celery_worker_process), which see the real broker."""
    from network.celery import app

    eager = "celery_worker_process" not in request.fixturenames
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager or previous
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and other cached state must not leak between tests."""
    from django.core.cache import cache

    from network import home_cache

    cache.clear()
    # What a web process holds of the shared cache goes with it.
    home_cache.drop_held_copy()
    yield


# --- Object storage: moto's S3 in a thread of this process, no network ---------------


@pytest.fixture(scope="session")
def s3_endpoint():
    """The address of an S3 served by moto on a free local port, for the whole run."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


S3_CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


@pytest.fixture
def object_storage(s3_endpoint, settings):
    """Uploads go to a fresh private bucket in moto's S3, configured as production
    configures it (network.settings.object_storage). Returns a boto3 client, the
    bucket's name and keys(), to look at the bucket from outside the portal."""
    import uuid

    import boto3

    from network import settings as project_settings

    bucket = f"network-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=S3_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_CREDENTIALS["secret_key"],
        region_name=S3_CREDENTIALS["region_name"],
    )
    client.create_bucket(Bucket=bucket)
    options = {
        **S3_CREDENTIALS,
        "bucket_name": bucket,
        "endpoint_url": s3_endpoint,
        "addressing_style": "path",
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": project_settings.object_storage("media", **options),
        "protected": project_settings.object_storage("protected", **options),
    }

    def keys() -> list[str]:
        listing = client.list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    return SimpleNamespace(client=client, bucket=bucket, endpoint=s3_endpoint, keys=keys)


@pytest.fixture(autouse=True)
def _empty_activity_buffer():
    """Counted activity waits in a buffer outside the database (insight/buffer.py): a
    test starts with it empty, so no event of an earlier test is flushed (with its
    queries) during a later one."""
    from insight.buffer import get_buffer

    get_buffer().discard()
    yield


# --- People, one per role (made by tests/roles.py) --------------------------------------


@pytest.fixture
def registered(db):
    return roles.registered()


@pytest.fixture
def provider_member(db):
    return roles.provider_member()


@pytest.fixture
def commissioner_member(db):
    return roles.commissioner_member()


@pytest.fixture
def policy_member(db):
    return roles.policy_member()


@pytest.fixture
def self_typed_member(db):
    return roles.self_typed_member()


@pytest.fixture
def member(provider_member):
    return provider_member


@pytest.fixture
def org_admin(db):
    return roles.org_admin()


@pytest.fixture
def lapsed(db):
    return roles.lapsed()


@pytest.fixture
def moderator(db):
    return roles.moderator()


@pytest.fixture
def editor(db):
    return roles.editor()


@pytest.fixture
def staff(db):
    return roles.staff()


@pytest.fixture
def staff_client(client, staff):
    """The test client signed in as staff, with the two-factor the admin asks of them."""
    client.force_login(roles.with_two_factor(staff))
    return client


# --- A real Celery worker (service mode) ------------------------------------------------


def _worker_database_url() -> str:
    """The URL of the test database pytest-django created, for a worker process."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """Start `celery worker` as a separate process against the test database and Redis.

    Tests that use it must commit their data (transactional_db) so the worker sees it.
    Mail the worker sends is written as files under the returned `mail_dir`.
    """
    if not SERVICE_MODE:
        pytest.skip("a real Celery worker runs only in service mode (REDIS_URL set)")
    mail_dir = tmp_path / "worker-mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _worker_database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_URL": "",
        "VAR_DIR": str(tmp_path / "worker-var"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    env["EMAIL_FILE_PATH"] = str(mail_dir)
    hostname = f"test-{os.getpid()}@localhost"
    from network.celery import app

    app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "network", "worker",
            "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle",
            "--loglevel=INFO", f"--hostname={hostname}",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    # A worker starts in a few seconds; on a machine busy with other work (another suite,
    # a build) importing the site can take half a minute.
    deadline = time.monotonic() + WORKER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stdout.read().decode())
        if app.control.ping(destination=[hostname], timeout=0.5):
            break
    else:
        process.kill()
        raise RuntimeError(f"the Celery worker did not start within {WORKER_START_SECONDS} s")

    class Worker:
        pass

    worker = Worker()
    worker.process = process
    worker.mail_dir = mail_dir
    yield worker
    # What the test waited for is done: no warm shutdown, which waits out the worker's
    # poll of the broker (about a second and a half).
    process.kill()
    process.wait()


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")
