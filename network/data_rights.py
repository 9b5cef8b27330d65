"""The shape every app's `personal_data.py` follows, and the registry that finds them.

(The network app's own data, such as contact messages, is declared in
`network/personal_data.py` like any other app's.)

Each app owns the personal data it stores. Its `<app>/personal_data.py` declares how
long each table keeps it (`RETENTION`), and may offer `export(user, archive)` and
`erase(user, choices)`; members' data-rights pages, the nightly retention task and the
privacy notice find these modules with Django's `autodiscover_modules`, as the admin
finds `admin.py`. This module imports no app of ours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Retention:
    """How long one table keeps one kind of personal data, and why.

    `model` is "app_label.ModelName"; rows whose `field` (a date or datetime) is older
    than `period` are past their time. `purge`, when given, removes or pseudonymises
    them in batches and returns how many it changed; otherwise the retention task
    deletes them in batches. `what` and `why` are the privacy notice's words.
    """

    model: str
    field: str
    period: timedelta
    what: str
    why: str
    purge: Callable[[], int] | None = None

    def model_class(self):
        return apps.get_model(self.model)


def modules() -> list[ModuleType]:
    """Every installed app's `personal_data` module, in INSTALLED_APPS order."""
    autodiscover_modules("personal_data")
    import sys

    found = []
    for config in apps.get_app_configs():
        module = sys.modules.get(f"{config.name}.personal_data")
        if module is not None:
            found.append(module)
    return found


def retention_rules() -> list[Retention]:
    """Every table's stated period, as the privacy notice lists them."""
    return [rule for module in modules() for rule in getattr(module, "RETENTION", ())]
