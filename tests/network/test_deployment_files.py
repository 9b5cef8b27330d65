"""Docker cannot run here, so check that the compose file parses and that every
command it runs exists in the project."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def _compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def _requirements() -> set[str]:
    names = set()
    for line in (BASE_DIR / "requirements.txt").read_text().splitlines():
        if line and not line.startswith((" ", "#", "-")):
            names.add(line.split("==")[0].lower())
    return names


def test_compose_file_has_every_service_the_portal_needs():
    services = _compose()["services"]

    assert set(services) == {
        "migrate", "web1", "web2", "proxy", "worker", "beat",
        "postgres", "redis", "minio", "bucket", "mailpit",
    }  # fmt: skip


def test_compose_runs_two_web_containers_behind_the_proxy():
    services = _compose()["services"]
    proxy_config = (BASE_DIR / "deploy" / "nginx.conf").read_text()

    for web in ("web1", "web2"):
        assert services[web]["command"].startswith("gunicorn network.wsgi")
        assert "ports" not in services[web], "only the proxy is published"
        assert f"server {web}:8000" in proxy_config
        assert web in services["proxy"]["depends_on"]
    assert services["proxy"]["image"].startswith("nginx")
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
    assert services["proxy"]["ports"] == ["8000:80"]


def test_compose_migrates_once_before_either_web_container_starts():
    services = _compose()["services"]

    assert services["migrate"]["command"] == "python manage.py migrate --no-input"
    for web in ("web1", "web2"):
        assert "migrate" not in services[web]["command"]
        assert services[web]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_the_proxy_takes_the_largest_form_the_site_accepts():
    # Beyond its limit nginx answers with its own bare "413" page and the post is lost.
    config = (BASE_DIR / "deploy" / "nginx.conf").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", config).group(1))
    forum_post = settings.FORUM_ATTACHMENTS_PER_POST * settings.FORUM_ATTACHMENT_MAX_BYTES

    assert megabytes * 1024 * 1024 > forum_post
    assert megabytes * 1024 * 1024 > settings.LIBRARY_ATTACHMENT_MAX_BYTES


def test_compose_keeps_uploads_in_minio_in_a_private_bucket_created_at_start():
    compose = _compose()
    services = compose["services"]
    environment = compose["x-app"]["environment"]

    assert services["minio"]["image"].startswith("minio/minio")
    assert environment["AWS_STORAGE_BUCKET_NAME"] == "network-uploads"
    assert environment["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert "mc mb --ignore-existing local/network-uploads" in services["bucket"]["entrypoint"]
    assert "mc anonymous set none local/network-uploads" in services["bucket"]["entrypoint"]
    for name in ("web1", "web2", "worker", "beat", "migrate"):
        assert services[name]["depends_on"]["bucket"] == {
            "condition": "service_completed_successfully"
        }
        assert "volumes" not in services[name], "no node keeps uploads on its own disk"


def test_web_processes_use_threaded_workers_sized_for_two_cores():
    config = {}
    exec((BASE_DIR / "gunicorn.conf.py").read_text(), config)

    assert config["worker_class"] == "gthread"
    assert (config["workers"], config["threads"]) == (4, 2)
    # Restarting a process costs seconds of CPU: not every few seconds on a busy node.
    assert config["max_requests"] >= 10_000
    # A socket per process would reset the connections waiting on one that restarts.
    assert not config.get("reuse_port")
    # The request log middleware writes the one line per request.
    assert config["accesslog"] is None
    assert "gunicorn" in _requirements()


# Loads the site as gunicorn's master does (preload_app, then when_ready), and prints
# which views came with it and which connections it holds.
_MASTER = """
import sys, runpy
import network.wsgi
config = runpy.run_path("gunicorn.conf.py")
config["when_ready"](None)
from django.core.cache import caches
from django.db import connections
databases = [c.alias for c in connections.all(initialized_only=True) if c.connection is not None]
pools = getattr(caches["default"]._cache, "_pools", {})
print("forum.posting_views" in sys.modules, databases, len(pools))
"""


def test_the_web_master_loads_the_site_and_forks_no_connection():
    config = {}
    exec((BASE_DIR / "gunicorn.conf.py").read_text(), config)
    assert config["preload_app"] is True

    result = subprocess.run(
        [sys.executable, "-c", _MASTER],
        cwd=BASE_DIR,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        capture_output=True,
        text=True,
        check=True,
    )

    # The views are imported once, before the fork; a connection opened by then would be
    # shared by every process forked from it.
    assert result.stdout.split()[-3:] == ["True", "[]", "0"], result.stdout + result.stderr


def test_compose_redis_keeps_the_queue_and_never_evicts_it():
    command = _compose()["services"]["redis"]["command"]

    assert "--appendonly yes" in command
    assert "--maxmemory-policy noeviction" in command


def test_compose_postgres_keeps_the_librarys_search_entries_in_its_buffers():
    """At 1,000,000 resources the search entries (about 550 MB) outgrow PostgreSQL's
    default 128 MB, and a first search then waits on the operating system's cache."""
    command = _compose()["services"]["postgres"]["command"]

    assert "shared_buffers=1GB" in command


def test_every_command_in_the_compose_file_exists_in_the_project():
    requirements = _requirements()
    for name, service in _compose()["services"].items():
        if "build" not in service:
            continue
        command = service["command"].strip()
        for step in re.split(r"&&", command.replace('sh -c "', "").rstrip('"')):
            words = shlex.split(step.strip())
            program = words[0]
            if program == "python":
                assert (BASE_DIR / words[1]).exists(), f"{name}: {words[1]}"
            elif program == "gunicorn":
                assert "gunicorn" in requirements
                module = words[1].replace(".", "/") + ".py"
                assert (BASE_DIR / module).exists(), f"{name}: {module}"
            elif program == "celery":
                assert "celery" in requirements
                assert words[1:3] == ["-A", "network"]
                assert (BASE_DIR / "network" / "celery.py").exists()
            else:
                raise AssertionError(f"{name} runs an unknown program: {program}")


def test_compose_wires_services_with_variables_the_settings_read():
    settings_source = (BASE_DIR / "network" / "settings.py").read_text()
    environment = _compose()["x-app"]["environment"]

    for variable in environment:
        assert f'"{variable}"' in settings_source, variable


def test_every_settings_variable_is_documented_in_env_example_and_readme():
    settings_source = (BASE_DIR / "network" / "settings.py").read_text()
    variables = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    variables |= set(re.findall(r'required\("([A-Z_]+)"\)', settings_source))
    env_example = (BASE_DIR / ".env.example").read_text()
    readme = (BASE_DIR / "README.md").read_text()

    for variable in variables:
        assert variable in env_example, f"{variable} missing from .env.example"
        assert variable in readme, f"{variable} missing from README.md"


def test_every_gunicorn_variable_is_documented_in_env_example_and_readme():
    config = (BASE_DIR / "gunicorn.conf.py").read_text()
    variables = set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', config))
    env_example = (BASE_DIR / ".env.example").read_text()
    readme = (BASE_DIR / "README.md").read_text()

    assert variables
    for variable in variables:
        assert variable in env_example, f"{variable} missing from .env.example"
        assert variable in readme, f"{variable} missing from README.md"


def test_dockerfile_installs_the_pinned_requirements_and_serves_with_gunicorn():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()

    assert "pip install -r requirements.txt" in dockerfile
    assert 'CMD ["gunicorn", "network.wsgi"]' in dockerfile
    assert "gthread" in dockerfile


def _database_settings(**environment) -> dict:
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "network.settings",
        "DATABASE_URL": "postgres://network:network@127.0.0.1:6432/network",
        **environment,
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_transaction_pooling_turns_off_server_side_cursors():
    assert _database_settings(DATABASE_TRANSACTION_POOLING="true")["DISABLE_SERVER_SIDE_CURSORS"]
    assert not _database_settings()["DISABLE_SERVER_SIDE_CURSORS"]


def test_the_image_leaves_out_local_state_secrets_and_tests():
    ignored = set((BASE_DIR / ".dockerignore").read_text().split())

    assert {".env", ".venv", "var", ".git", "tests", "bench"} <= ignored
    assert not {"network", "static", "templates", "locale", "gunicorn.conf.py"} & ignored
