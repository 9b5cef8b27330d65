"""Production-like settings for the benchmarks that time pages in their own process
(bench/forum.py, bench/library.py): DEBUG off, as the web processes run, so that no
query is logged per statement and templates are compiled once; static files collected
into a folder of their own, since the manifest storage of production needs them.

Call before django.setup(). Explicit environment values win.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC_ROOT = ROOT / "var" / "bench-static"


def production_settings() -> None:
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_hex(32))
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SECURE_COOKIES", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("STATIC_ROOT", str(STATIC_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
    if os.environ["DEBUG"].lower() in ("false", "0", "no", "off"):
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT,
            check=True,
        )
