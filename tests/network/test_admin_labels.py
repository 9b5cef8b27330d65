"""Admin tables whose inputs say what they are (network/admin_labels.py)."""

import re

import pytest
from django.urls import reverse

from network.models import Topic

pytestmark = pytest.mark.django_db


def test_each_editable_cell_of_a_change_list_is_named_by_its_column_and_row(staff_client):
    Topic.objects.create(name="Workforce and training", slug="workforce-and-training", order=2)
    Topic.objects.create(name="Staying Close", slug="staying-close", order=3)

    page = staff_client.get(reverse("admin:network_topic_changelist")).text

    labels = re.findall(r'<input[^>]*name="form-\d+-order"[^>]*aria-label="([^"]+)"', page)
    labels += re.findall(r'<input[^>]*aria-label="([^"]+)"[^>]*name="form-\d+-order"', page)
    assert sorted(labels) == ["Order: Staying Close", "Order: Workforce and training"]
