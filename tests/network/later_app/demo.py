"""Demo content of an app installed after the portal's own."""

SEEDED: list[str] = []


def seed() -> None:
    SEEDED.append("later_app")
