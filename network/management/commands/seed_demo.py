"""Load the demo content. Safe to run again: every row is found or created by a natural key.

Each app with demo content has a `demo.py` with a `seed()` function; they run in the
order below, so that later apps can use what earlier ones made (people, topics).
"""

import importlib
import importlib.util

from django.core.management.base import BaseCommand
from django.db import transaction

SEEDED_APPS = ["network", "members", "practice_library", "forum", "newsletter"]


class Command(BaseCommand):
    help = "Load (or refresh) the demo content and print the demo logins."

    def handle(self, *args, **options) -> None:
        for app in SEEDED_APPS:
            if importlib.util.find_spec(f"{app}.demo") is None:
                continue
            with transaction.atomic():
                importlib.import_module(f"{app}.demo").seed()
            self.stdout.write(f"Demo content loaded: {app}")

        from members.demo import DEMO_PASSWORD, DEMO_USERS

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        width = max(len(user.email) for user in DEMO_USERS)
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.email.ljust(width)}  {user.role}")
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000/ ; emails the site sends land in var/mail/.")
