"""Load test: the portal under gunicorn beside a bare Django view, in the same run. Prints
figures.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/network_bench \\
    REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/load.py [--seconds 5] [--rounds 3] [--mixed-seconds 60] \\
            [--members 100] [--accept-encoding gzip]

Run it on the database the other benchmarks fill (bench/library.py --scale 100k and
bench/forum.py --scale 200k, in either order: 100,000 resources, 200,000 posts); it
adds sessions for `--members` members (and grants memberships to people there until
that many are members).

It starts two gunicorns with the settings the Docker image runs (gunicorn.conf.py when
present, else gthread with 4 processes x 2 threads), DEBUG off:
- the portal (network.wsgi), on the database above;
- a bare Django site (bench/bare_site.py: one view that answers "ok", the same Django,
  no middleware but CommonMiddleware), the yardstick that absorbs what the machine and
  the load generator cost.
Then, for each page at `--connections` (4) connections, `--rounds` runs of `--seconds`,
each beside a run of the bare view: the requests per second as a share of the bare
view's in the same round (the median round, and every round's), and p50/p95 (the
signed-in about page is the floor: what every member page costs before its own
content); then `--members`
signed-in members at once for `--mixed-seconds` on a mix of pages (home, library search,
a thread, the forum index, the account page): requests per second, p50/p95/p99, errors,
once for each `--think` (the pause of each member between pages: 0, every member asking
again at once, measures the ceiling; 3 s is members reading briskly).
The load generator (bench/load_generator.py) is asyncio on keep-alive connections, in this
process; the machine's load average is printed with the figures, since other work lowers
every number.
"""

import argparse
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from load_generator import drive, percentile  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/network_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

SEARCH_WORDS = [
    "placement",
    "inspection",
    "staying close",
    "workforce",
    "sufficiency",
    "therapeutic",
    "restraint",
    "education",
    "leaving care",
    "commissioning",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-" + secrets.token_hex(32),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(ROOT / "var" / "bench-static"),
    )
    return env


def gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "gunicorn"), app, "--bind", f"127.0.0.1:{port}"]
    if (ROOT / "gunicorn.conf.py").exists():
        command += ["--config", str(ROOT / "gunicorn.conf.py")]
    else:
        command += ["--worker-class", "gthread", "--workers", "4", "--threads", "2"]
    command += ["--error-logfile", "-", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_for(port: int, path: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
                answer = sock.recv(12)
                if answer.startswith(b"HTTP/1.1 200") or answer.startswith(b"HTTP/1.0 200"):
                    return
                raise SystemExit(f"{path} on port {port} answered {answer!r}")
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"nothing answered on port {port}")


# --- What is measured --------------------------------------------------------------------


def member_cookies(count: int) -> list[str]:
    """Sessions for `count` members, made as signing in makes them (the shared database)."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from members.access import members_now_q
    from members.models import User

    people = list(User.objects.filter(members_now_q()).order_by("pk")[:count])
    if len(people) < count:
        # The other benchmarks make people but few members: grant the rest a membership.
        from datetime import timedelta

        from django.utils import timezone

        from members.models import MembershipGrant

        today = timezone.localdate()
        others = User.objects.exclude(pk__in=[p.pk for p in people]).order_by("pk")
        for person in others[: count - len(people)]:
            MembershipGrant.objects.create(
                user=person,
                member_type="provider",
                starts_on=today,
                ends_on=today + timedelta(days=365),
                reason=MembershipGrant.Reason.OTHER,
                note="bench/load.py",
            )
            people.append(person)
    if not people:
        raise SystemExit("nobody in this database: run bench/forum.py and bench/library.py")
    cookies = []
    for person in people:
        client = Client()
        client.force_login(person)
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    return cookies


def connections_per_process(port: int) -> str:
    """How the connections open to `port` are shared among gunicorn's processes, most
    first ("2+1+1"); "?" where `ss` (iproute2) is missing.

    A kept-alive connection stays with the process that accepted it, and the first
    process to wake often accepts several at once: a round whose 4 connections all sit
    in one process is served by one core under one GIL, at about half the rate."""
    if not shutil.which("ss"):
        return "?"
    listing = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    shares = sorted(Counter(re.findall(r"pid=(\d+)", listing)).values(), reverse=True)
    return "+".join(str(share) for share in shares) or "?"


def long_thread_path() -> str:
    from django.db.models import Count

    from forum.models import Thread

    thread = (
        Thread.objects.annotate(posts_count=Count("posts"))
        .filter(posts_count__gte=100)
        .order_by("posts_count")
        .first()
    )
    if thread is None:
        raise SystemExit("no thread of 100 posts: run bench/forum.py first")
    return thread.get_absolute_url()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=5,
        help="per page and round, at --connections (0: only the mix)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="runs of each page, each beside a run of the bare view on new connections",
    )
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--members", type=int, default=100, help="members at once in the mix")
    parser.add_argument("--mixed-seconds", type=float, default=60)
    parser.add_argument(
        "--accept-encoding",
        default="identity",
        help="the Accept-Encoding header of every request: identity (the default) compares "
        'with earlier runs; "gzip", as browsers ask, adds the compression of pages to the '
        "portal's side (the bare view's answer is too short to compress)",
    )
    parser.add_argument(
        "--think",
        default="0,3",
        help="seconds each member pauses between pages in the mix, a run for each value "
        "(comma-separated; 0 is a closed loop, every member asking again at once: the "
        "ceiling; 3 is members reading briskly, a page every 3 s on average)",
    )
    args = parser.parse_args()

    env = server_env()
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DEBUG",
                "SECRET_KEY",
                "ALLOWED_HOSTS",
                "SITE_URL",
                "SECURE_SSL_REDIRECT",
                "SECURE_COOKIES",
                "STATIC_ROOT",
            )
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    cookies = member_cookies(args.members)
    thread = long_thread_path()

    portal_port, bare_port = free_port(), free_port()
    servers = [
        gunicorn("network.wsgi", portal_port, env),
        gunicorn("bench.bare_site", bare_port, env),
    ]
    try:
        wait_for(portal_port, "/healthz")
        wait_for(bare_port, "/")
        # Warm both: first requests compile templates and open connections.
        drive(portal_port, "/", connections=2, seconds=2)
        drive(bare_port, "/", connections=2, seconds=2)

        pages = [
            ("home, anonymous", "/", False),
            ("/healthz", "/healthz", False),
            # The least a member's page costs: session, user, header, notification count
            # and a page of text. The member pages below cannot pass this share.
            ("about page, member (the floor)", "/about/", True),
            ("library search 'placement', member", "/library/?q=placement", True),
            ("forum thread (100+ posts, page 1), member", thread, True),
            ("forum index, member", "/forum/", True),
            ("account, member", "/account/", True),
        ]
        print(
            f"load average before: {os.getloadavg()[0]:.2f}; "
            f"{args.connections} connections, {args.rounds} rounds of {args.seconds:g} s a page; "
            f"Accept-Encoding: {args.accept_encoding}"
        )
        if args.seconds:
            print(
                f"{'page':<44}{'req/s':>8}{'share':>8}{'(rounds)':>18}"
                f"{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"
            )
        for label, path, signed_in in pages if args.seconds else []:
            # Each keep-alive connection stays with the gunicorn process that accepted
            # it, and with 4 connections chance decides whether two processes or four
            # share the work: one run of a page could read half another's. Every round
            # opens new connections; the median round is the figure, all are printed.
            shares, rates, bare_rates, times, errors, spreads = [], [], [], [], 0, []
            for _ in range(args.rounds):
                bare = drive(
                    bare_port,
                    "/",
                    connections=args.connections,
                    seconds=args.seconds,
                    accept_encoding=args.accept_encoding,
                )
                # Read once the connections are open, while the round runs.
                spread = threading.Timer(
                    min(1.0, args.seconds / 2),
                    lambda found=spreads: found.append(connections_per_process(portal_port)),
                )
                spread.start()
                page = drive(
                    portal_port,
                    path,
                    cookies=cookies[: args.connections] if signed_in else (),
                    connections=args.connections,
                    seconds=args.seconds,
                    accept_encoding=args.accept_encoding,
                )
                spread.join()
                bare_rates.append(len(bare.times) / args.seconds)
                rates.append(len(page.times) / args.seconds)
                shares.append(rates[-1] / bare_rates[-1])
                times += page.times
                errors += page.errors
            rounds = " ".join(f"{share:.2f}" for share in shares)
            print(
                f"{label:<44}{statistics.median(rates):>8.1f}{statistics.median(shares):>8.2f}"
                f"{'(' + rounds + ')':>18}"
                f"{percentile(times, 0.5):>9.1f}{percentile(times, 0.95):>9.1f}"
                f"{errors:>8}   (bare view {statistics.median(bare_rates):.0f} req/s; "
                f"connections per process {' '.join(spreads)})"
            )

        def mixed_path() -> str:
            return random.choice(
                [
                    "/",
                    f"/library/?q={random.choice(SEARCH_WORDS).replace(' ', '+')}",
                    thread,
                    "/forum/",
                    "/account/",
                ]
            )

        for think in [float(value) for value in args.think.split(",")]:
            mixed = drive(
                portal_port,
                mixed_path,
                cookies=cookies,
                connections=len(cookies),
                seconds=args.mixed_seconds,
                think=think,
                accept_encoding=args.accept_encoding,
            )
            print(
                f"\n{len(cookies)} members at once for {args.mixed_seconds:.0f} s, mixed pages, "
                f"{think:g} s between pages: "
                f"{len(mixed.times) / args.mixed_seconds:.1f} req/s, "
                f"p50 {percentile(mixed.times, 0.5):.0f} ms, "
                f"p95 {percentile(mixed.times, 0.95):.0f} ms, "
                f"p99 {percentile(mixed.times, 0.99):.0f} ms, errors {mixed.errors} "
                f"(statuses {dict(sorted(mixed.statuses.items()))}; "
                f"load average {os.getloadavg()[0]:.2f})"
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        shutil.rmtree(ROOT / "var" / "bench-static", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
