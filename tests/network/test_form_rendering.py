"""Forms across the site: a single checkbox comes before its label, on one line."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_checkbox_comes_before_its_own_label(client):
    html = client.get(reverse("newsletter:index")).content.decode()

    field = re.search(r'<div class="check-field">(.*?)</div>\s*</div>', html, re.S)[1]
    box = re.search(r'<input type="checkbox" name="(\w+)"[^>]*id="(\w+)"', field)
    label = re.search(r'<label for="(\w+)">([^<]+)</label>', field)
    assert field.index("<input") < field.index("<label")
    assert label[1] == box[2]
    assert not label[2].endswith(":")


def test_text_fields_keep_their_label_above_the_input(client):
    html = client.get(reverse("newsletter:index")).content.decode()

    label = html.index('<label for="id_email"')
    assert label < html.index('name="email"')
