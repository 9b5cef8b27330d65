"""Every admin change list asks the same queries however many rows it shows.

A column that reads a related object (a foreign key in list_display, or a __str__ that
follows one) costs a query per row unless the list reads it with its rows. For each
registered model, the change list is requested after one round of realistic objects
(tests/network/test_admin_pages.py builds them), then after three rounds more; it must
ask no more queries the second time. A registered model whose list does not grow fails
the test, so a new admin cannot escape it.
"""

from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.db import connection, models
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import roles
from tests.network.test_admin_pages import BUILDERS, _label, _staff, _url_name

pytestmark = pytest.mark.django_db

# The one model whose builder gives the same row every time: the site itself.
ONE_ROW_ONLY = {"sites.site"}


def _queries(client, model) -> int:
    url = reverse(f"admin:{_url_name(model, 'changelist')}")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _rows(model) -> int:
    return model._default_manager.count()


def _rename_unique_values(suffix: str) -> None:
    """Give every unique name made so far a suffix, so the builders (which use fixed
    names and slugs) can make their objects again."""
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.fields
            if field.unique and not field.primary_key and isinstance(field, models.CharField)
        ]
        if names and model._meta.managed:
            model._base_manager.update(
                **{
                    # Within the column's length (PostgreSQL refuses more): a value as long
                    # as its column (a hash) keeps it, and its builder makes a new one.
                    name: Left(
                        Concat(F(name), Value(suffix), output_field=models.CharField()),
                        model._meta.get_field(name).max_length,
                    )
                    for name in names
                }
            )


def test_every_admin_list_asks_as_many_queries_for_four_rows_as_for_one(client):
    for build in BUILDERS.values():
        build()
    client.force_login(roles.with_two_factor(_staff()))
    for model in admin.site._registry:
        _queries(client, model)  # the first request fills caches (the site, the user's)
    one = {model: (_queries(client, model), _rows(model)) for model in admin.site._registry}

    for round_number in range(1, 4):
        _rename_unique_values(f"-{round_number}")
        # A day apart, as what is unique by its time (a digest's period) would be.
        with time_machine.travel(timezone.now() + timedelta(days=round_number), tick=False):
            for build in BUILDERS.values():
                build()
    more_rows = [model for model in admin.site._registry if _rows(model) > one[model][1]]
    asking_more = {_label(model): (one[model][0], _queries(client, model)) for model in more_rows}

    assert sorted({_label(m) for m in admin.site._registry} - {_label(m) for m in more_rows}) == (
        sorted(ONE_ROW_ONLY)
    )
    # label: (queries at one round, queries at four)
    assert {label: n for label, n in asking_more.items() if n[1] > n[0]} == {}
