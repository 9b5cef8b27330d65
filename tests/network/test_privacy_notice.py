"""The privacy notice states the periods the code enforces, read from each app."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from network import data_rights
from network.data_rights import Retention

pytestmark = pytest.mark.django_db


def test_the_privacy_notice_lists_every_retention_rule_of_the_code(client):
    page = client.get(reverse("privacy")).content.decode()
    rules = data_rights.retention_rules()
    assert rules
    for rule in rules:
        assert rule.what in page, rule.what


def test_the_privacy_notice_shows_the_period_the_code_states(client, monkeypatch):
    monkeypatch.setattr(
        "network.views.retention_rules",
        lambda: [
            Retention(
                model="network.ContactMessage",
                field="received_at",
                period=timedelta(days=7 * 365),
                what="Messages sent through the contact form",
                why="A test reason.",
            )
        ],
    )
    page = client.get(reverse("privacy")).content.decode()
    assert "7 years after it was made" in page


def test_each_retention_rule_names_its_period_and_reason_for_narrow_screens(client):
    page = client.get(reverse("privacy")).content.decode()

    rows = re.findall(r'<tr role="row"><th scope="row".*?</tr>', page, re.S)

    assert len(rows) == len(data_rights.retention_rules())
    for row in rows:
        assert re.findall(r'data-label="([^"]+)"', row) == ["Kept for", "Why"]


def test_the_notice_states_the_periods_the_issue_names(client):
    page = client.get(reverse("privacy")).content.decode()
    assert "6 years" in page  # invoices
    assert "2 years" in page  # contact messages
    assert "Sign-in sessions (IP address and browser)" in page


def test_every_app_with_personal_data_declares_it():
    names = {module.__name__ for module in data_rights.modules()}
    assert {
        "network.personal_data",
        "members.personal_data",
        "practice_library.personal_data",
        "forum.personal_data",
        "events.personal_data",
        "newsletter.personal_data",
        "sector_data.personal_data",
    } <= names
