"""make run and make serve give the site the address they serve, so that the links in
the emails it sends reach this server (checked with `make -n`, which only prints)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(tmp_path: Path, *args: str, env: dict | None = None) -> list[str]:
    shutil.copy(Path(settings.BASE_DIR) / "Makefile", tmp_path / "Makefile")
    for name in ("requirements.txt", "requirements-dev.txt"):  # what the install step needs
        (tmp_path / name).touch()
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | (env or {})
    result = subprocess.run(
        ["make", "-n", "-C", str(tmp_path), *args],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "runserver" in line]


def test_make_run_on_another_port_links_emails_to_that_port(tmp_path):
    (line,) = _dry_run(tmp_path, "run", "PORT=8101")

    assert "SITE_URL=http://127.0.0.1:8101 " in line
    assert line.endswith("runserver 127.0.0.1:8101")


def test_make_serve_follows_host_and_port(tmp_path):
    (line,) = _dry_run(tmp_path, "serve", "HOST=0.0.0.0", "PORT=9000")

    assert "SITE_URL=http://0.0.0.0:9000 " in line


def test_site_url_set_in_the_environment_wins(tmp_path):
    (line,) = _dry_run(tmp_path, "serve", "PORT=8101", env={"SITE_URL": "https://x.example.org"})

    assert "SITE_URL=https://x.example.org " in line


def test_site_url_set_in_dot_env_wins(tmp_path):
    (tmp_path / ".env").write_text("DEBUG=true\nSITE_URL=https://dev.example.org\n")

    (line,) = _dry_run(tmp_path, "serve", "PORT=8101")

    assert "SITE_URL=https://dev.example.org " in line


def test_what_make_starts_keeps_its_bytecode_out_of_the_tree_even_if_told_not_to(tmp_path):
    # Every process the suite starts would otherwise compile the site again.
    shutil.copy(Path(settings.BASE_DIR) / "Makefile", tmp_path / "Makefile")
    probe = "import os, sys; print(sys.flags.dont_write_bytecode, sys.pycache_prefix)"
    (tmp_path / "probe.mk").write_text(f'probe:\n\t@python3 -c "{probe}"\n')
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    result = subprocess.run(
        ["make", "-s", "-C", str(tmp_path), "-f", "Makefile", "-f", "probe.mk", "probe"],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )

    assert result.stdout.split() == ["0", str(tmp_path / ".venv" / "pycache")]
