"""Load the demo content. Safe to run again: every row is found or created by a natural key.

Each app with demo content has a `demo.py` with a `seed()` function, run in a
transaction. Django's autodiscover_modules finds them, as the admin finds admin.py, and
they run in the order of INSTALLED_APPS, so that later apps can use what earlier ones
made (people, topics). A `seed_through_services()` function, if present, runs after it
outside any transaction, for content made by services that open their own.
"""

import logging
import os
import sys
from types import ModuleType

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import autodiscover_modules


def demo_modules() -> list[ModuleType]:
    """Every installed app's demo module with a seed(), in the order of INSTALLED_APPS."""
    autodiscover_modules("demo")
    found = []
    for app in apps.get_app_configs():
        module = sys.modules.get(f"{app.name}.demo")
        if module is not None and hasattr(module, "seed"):
            found.append(module)
    return found


class Command(BaseCommand):
    help = "Load (or refresh) the demo content and print the demo logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "apps",
            nargs="*",
            metavar="app",
            help="Only these apps' demo content (name the apps it builds on too: network "
            "and members for people and topics). All of it when none is named.",
        )

    def handle(self, *args, **options) -> None:
        # Seeding runs many tasks in-process on the embedded default; their one-line logs
        # would bury the demo logins printed at the end.
        for name in ("celery.app.trace", "network.tasks"):
            logging.getLogger(name).setLevel(logging.WARNING)
        by_app = {demo.__name__.removesuffix(".demo"): demo for demo in demo_modules()}
        named = options["apps"]
        unknown = sorted(set(named) - set(by_app))
        if unknown:
            raise CommandError(
                f"No demo content in {', '.join(unknown)}; apps with some: "
                + ", ".join(sorted(by_app))
            )
        for app, demo in by_app.items():
            if named and app not in named:
                continue
            with transaction.atomic():
                demo.seed()
            if hasattr(demo, "seed_through_services"):
                demo.seed_through_services()
            self.stdout.write(f"Demo content loaded: {app}")

        from members.demo import DEMO_PASSWORD, DEMO_USERS

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        width = max(len(user.email) for user in DEMO_USERS)
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.email.ljust(width)}  {user.role}")
        self.stdout.write("")
        address = os.environ.get("DEMO_ADDRESS", "127.0.0.1:8000")
        self.stdout.write(f"Open http://{address}/ ; emails the site sends land in var/mail/.")
