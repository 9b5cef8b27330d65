"""Stripe's published example objects (fixtures/, from stripe/openapi's fixtures3.json),
and ids in Stripe's shape, for the fake Stripe to build its answers from."""

import json
import random
import string
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
DAY = 24 * 60 * 60


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def stripe_id(prefix: str) -> str:
    alphabet = string.ascii_letters + string.digits
    return f"{prefix}_1Q" + "".join(random.choices(alphabet, k=22))
