"""Two web nodes that share only the database and the object storage serve the same
people and the same files: a member signs in on one and is recognised on the other, and
a file uploaded through one is downloaded through the other.

Each node is a real gunicorn process with a local disk of its own (VAR_DIR), so nothing
can come from a node's disk. The storage is moto's S3, served from this test process.
In service mode the nodes share a PostgreSQL database (a copy of the migrated test
database) and Redis as their cache; on the embedded default they share one SQLite file
(a copy of the test database) and each has its own in-process cache. Sessions live in
the database either way.
"""

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.conftest import S3_CREDENTIALS

# The nodes' database is a copy of the test database, which pytest-django creates only
# for a run with tests that use it. Under pytest-xdist the module's tests stay in one
# process, so one pair of nodes serves them all.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("two-web-nodes")]

BASE_DIR = Path(settings.BASE_DIR)
SHARED_REDIS = os.environ.get("REDIS_URL", "")
PASSWORD = "correct-horse-battery-staple"

# Run in the shared database by `manage.py shell`: a member who may post in one room,
# with one thread to reply to.
SETUP = """
import json
from django.utils import timezone
from forum.models import ForumPreference
from tests.forum.factories import CategoryFactory, member_of_type, thread_with_posts
member = member_of_type(name="Ada Okafor", email="ada@example.org")
ForumPreference.objects.create(user=member, child_safety_confirmed_at=timezone.now())
room = CategoryFactory(name="Workforce and training", slug="workforce-and-training")
thread = thread_with_posts(posts=1, category=room, author=member, title="Rotas that work")
print(json.dumps({"thread": thread.pk}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_live(base_url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{base_url} stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base_url} did not answer /healthz within 60 s")


def _csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    page.raise_for_status()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _copy_of_the_test_database(root: Path) -> str:
    """A database the nodes share, already migrated: a copy of the test database (the
    migrations ran once for the whole test run), as a URL for the nodes."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        target = root / "shared.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{target}"
    # PostgreSQL copies a database from a template only while nobody is connected to it.
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}_nodes"')
        cursor.execute(f'CREATE DATABASE "{db["NAME"]}_nodes" TEMPLATE "{db["NAME"]}"')
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}_nodes"


def _drop_the_copy() -> None:
    if connection.vendor != "sqlite":
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                f'DROP DATABASE IF EXISTS "{settings.DATABASES["default"]["NAME"]}_nodes"'
            )


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, s3_endpoint, django_db_setup, django_db_blocker):
    """Two gunicorn nodes on free ports: (node A's address, node B's address, bucket,
    boto3 client, thread id, the nodes' own disks)."""
    import boto3

    root = tmp_path_factory.mktemp("two-nodes")
    bucket = f"nodes-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=S3_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_CREDENTIALS["secret_key"],
        region_name=S3_CREDENTIALS["region_name"],
    )
    s3.create_bucket(Bucket=bucket)
    shared = {
        **os.environ,
        "DEBUG": "true",
        "SECRET_KEY": "two-nodes-share-this-secret-key-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": "",
        "CACHE_KEY_PREFIX": "",
        "EMAIL_URL": "",
        "FORUM_NEW_MEMBER_HELD_POSTS": "0",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": S3_CREDENTIALS["region_name"],
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": S3_CREDENTIALS["access_key"],
        "AWS_SECRET_ACCESS_KEY": S3_CREDENTIALS["secret_key"],
        "VAR_DIR": str(root / "setup-var"),
        "MEDIA_ROOT": str(root / "setup-var" / "media"),
    }
    for name in ("DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER"):
        shared.pop(name, None)
    if SHARED_REDIS:
        # The nodes' cache (and queue: nothing consumes it here) in the test's Redis.
        shared["REDIS_URL"] = SHARED_REDIS
        shared["CACHE_KEY_PREFIX"] = f"{os.environ.get('CACHE_KEY_PREFIX', 'network')}-nodes"
    manage = [sys.executable, "manage.py"]
    with django_db_blocker.unblock():
        shared["DATABASE_URL"] = _copy_of_the_test_database(root)
    processes, addresses, disks = [], [], []
    try:
        for name in ("a", "b"):
            port = _free_port()
            disk = root / f"node-{name}"
            env = {**shared, "VAR_DIR": str(disk), "MEDIA_ROOT": str(disk / "media")}
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "network.wsgi",
                 "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
                cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
            processes.append(process)
            addresses.append(f"http://127.0.0.1:{port}")
            disks.append(disk)
        # The member and thread are made while the nodes start (neither needs them to).
        made = subprocess.run([*manage, "shell", "-c", SETUP], cwd=BASE_DIR, env=shared,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert made.returncode == 0, made.stderr[-3000:]
        thread_id = json.loads(made.stdout.strip().splitlines()[-1])["thread"]
        for address, process in zip(addresses, processes, strict=True):
            _wait_until_live(address, process)
        yield {
            "a": addresses[0],
            "b": addresses[1],
            "bucket": bucket,
            "s3": s3,
            "thread": thread_id,
            "disks": disks,
        }
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        with django_db_blocker.unblock():
            _drop_the_copy()


def _sign_in(browser: requests.Session, node: str, email: str, password: str):
    token = _csrf_token(browser, f"{node}/accounts/login/")
    return browser.post(
        f"{node}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": email, "password": password},
        headers={"Referer": f"{node}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )


@pytest.fixture
def signed_in_on_a(nodes) -> requests.Session:
    browser = requests.Session()
    response = _sign_in(browser, nodes["a"], "ada@example.org", PASSWORD)
    assert response.status_code == 302, response.text[-2000:]
    return browser


def test_both_nodes_are_ready_with_the_shared_database_and_bucket(nodes):
    for node in (nodes["a"], nodes["b"]):
        body = requests.get(f"{node}/readyz", timeout=10).json()

        assert body["status"] == "ok", body
        assert body["checks"]["storage"] == "ok"


def test_a_member_signed_in_on_one_node_is_recognised_on_the_other(nodes, signed_in_on_a):
    response = signed_in_on_a.get(f"{nodes['b']}/account/", allow_redirects=False, timeout=10)

    assert response.status_code == 200
    assert "Ada Okafor" in response.text


def test_a_file_uploaded_through_one_node_is_downloaded_through_the_other(nodes, signed_in_on_a):
    reply_url = f"{nodes['a']}/forum/t/{nodes['thread']}/reply/"
    token = _csrf_token(signed_in_on_a, reply_url)
    content = b"day,shift\nMonday,early\nTuesday,late\n"
    posted = signed_in_on_a.post(
        reply_url,
        data={"csrfmiddlewaretoken": token, "body": "Our rota for the winter."},
        files={"attachments": ("rota.csv", content, "text/csv")},
        headers={"Referer": reply_url},
        allow_redirects=False,
        timeout=20,
    )
    assert posted.status_code == 302, posted.text[-2000:]

    thread_page = signed_in_on_a.get(f"{nodes['b']}/forum/t/{nodes['thread']}/", timeout=10)
    (attachment_path,) = set(re.findall(r'href="(/forum/attachment/\d+/)"', thread_page.text))
    download = signed_in_on_a.get(f"{nodes['b']}{attachment_path}", timeout=10)

    assert download.status_code == 200
    assert download.content == content
    keys = [item["Key"] for item in nodes["s3"].list_objects_v2(Bucket=nodes["bucket"])["Contents"]]
    assert len(keys) == 1
    assert keys[0].startswith("protected/forum/")
    for disk in nodes["disks"]:
        assert not [path for path in disk.rglob("*") if path.is_file() and "media" in path.parts]


def test_a_visitor_gets_no_file_from_either_node(nodes):
    for node in (nodes["a"], nodes["b"]):
        response = requests.get(f"{node}/forum/attachment/1/", allow_redirects=False, timeout=10)

        assert response.status_code == 302
        assert "/accounts/login/" in response.headers["Location"]


@pytest.mark.skipif(not SHARED_REDIS, reason="the nodes share a cache only in service mode")
def test_failed_sign_ins_through_one_node_count_on_the_other(nodes):
    browser = requests.Session()
    for _ in range(5):
        refused = _sign_in(browser, nodes["a"], "nobody@example.org", "not-the-password")
        assert "too many failed attempts to sign in" not in refused.text

    response = _sign_in(browser, nodes["b"], "nobody@example.org", "not-the-password")

    assert "too many failed attempts to sign in" in response.text
