"""Benchmark of watch-list screening over an adversarial corpus. Prints figures.

    .venv/bin/python bench/screening.py [--length 20000] [--runs 5]

Screens each post of the corpus (every body `--length` characters) against the starting
watch list (forum/migrations/0003 as rewritten by 0005) plus patterns staff might type
that backtrack on Python's `re` (nested quantifiers, alternations that overlap, long
counted repeats), and prints the worst and p95 time per post and the slowest body. The
target is under 20 ms per 20,000-character post. No database is needed: the patterns are
unsaved rows.
"""

import argparse
import importlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

# Patterns staff might type that take exponential or quadratic time on a backtracking
# matcher; RE2 accepts them and runs them in linear time.
STAFF_PATTERNS = [
    r"(a+)+$",
    r"(a|aa)+$",
    r"(\w+\s?)+$",
    r"(.*a){12}",
    r"^(\d+)*$",
    r"([a-z0-9._-]+)+@example\.org",
    r"(x+x+)+y",
    r"\b(?:[A-Z]+\s*)+\d{3}\b",
]


def corpus(length: int) -> dict[str, str]:
    """Bodies of exactly `length` characters that are hard for some pattern."""

    def fit(text: str) -> str:
        return (text * (length // max(len(text), 1) + 1))[:length]

    half = length // 2
    return {
        "dots (a.)": fit("a."),
        "email bait (a@ a. … !)": ("a@" + "a." * (length // 2))[: length - 1] + "!",
        "digits": fit("0123456789"),
        "digits and spaces": fit("0770 "),
        "digits and dashes": fit("12-"),
        "dots": "." * length,
        "at signs": "@" * length,
        "spaces": " " * length,
        "a run then !": "a" * (length - 1) + "!",
        "x run (x+x+)+y": "x" * length,
        "words then !": fit("word ")[: length - 1] + "!",
        "capitals and spaces": fit("AB "),
        "unicode letters": fit("Zoë Siân ąę 漢字 "),
        "emoji": fit("🙂a."),
        "dates": fit("1/1/"),
        "postcode bait": fit("SW1A "),
        "plus signs": fit("+44"),
        "mixed half and half": "a." * (half // 2) + "7" * (length - 2 * (half // 2)),
        "ordinary prose": fit(
            "The home manager asked about Regulation 44 visits and staffing ratios. "
        ),
    }


def patterns():
    from forum.models import WatchPattern

    starting = importlib.import_module("forum.migrations.0003_watch_list_starting_patterns")
    rewritten = importlib.import_module("forum.migrations.0005_watch_patterns_for_re2")
    rows = []
    for fields in starting.PATTERNS:
        fields = dict(fields)
        old_new = rewritten.REWRITES.get(fields["name"])
        if old_new:
            fields["pattern"] = old_new[1]
        rows.append(WatchPattern(**fields))
    for number, source in enumerate(STAFF_PATTERNS):
        rows.append(WatchPattern(name=f"staff {number}", kind="regex", pattern=source))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from forum import screening

    rows = patterns()
    screening.screen_text("warm up", patterns=rows)  # compile once, as a worker would
    bodies = corpus(args.length)
    times: list[float] = []
    cpu_times: list[float] = []
    worst: dict[str, float] = {}
    for name, body in bodies.items():
        for _ in range(args.runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            screening.screen_text(body, patterns=rows)
            elapsed = (time.perf_counter() - started) * 1000
            cpu_times.append((time.process_time() - cpu_started) * 1000)
            times.append(elapsed)
            worst[name] = max(worst.get(name, 0.0), elapsed)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(
        f"{len(rows)} patterns, {len(bodies)} bodies of {args.length:,} characters, "
        f"{args.runs} runs each"
    )
    print(f"worst per post: {times[-1]:.1f} ms   p95: {p95:.1f} ms   median: "
          f"{statistics.median(times):.1f} ms")  # fmt: skip
    # CPU time leaves out the waits of a busy machine's scheduler, which wall time counts.
    print(f"worst CPU time per post: {max(cpu_times):.1f} ms   median: "
          f"{statistics.median(cpu_times):.1f} ms")  # fmt: skip
    print("slowest bodies (wall time):")
    for name, elapsed in sorted(worst.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {elapsed:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
