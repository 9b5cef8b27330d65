"""Clicks per link per edition, through a signed first-party redirect that carries the
edition and the link, never the recipient."""

import re

import pytest
from django.urls import reverse

from newsletter import tokens
from newsletter.models import LinkClick
from newsletter.rendering import edition_render
from tests.newsletter.factories import SectionFactory

pytestmark = pytest.mark.django_db

TARGET = "https://example.org/reg44?from=news&amp=1"


def _link(edition, url=TARGET) -> str:
    return reverse(
        "newsletter:link", args=[edition.pk, tokens.link_token(edition_id=edition.pk, url=url)]
    )


def test_a_signed_link_redirects_to_its_target(client, edition):
    response = client.get(_link(edition))
    assert response.status_code == 302
    assert response["Location"] == TARGET


def test_each_redirect_counts_one_click_for_its_edition_and_link(client, edition):
    for _ in range(3):
        client.get(_link(edition))
    client.get(_link(edition, "https://example.org/other"))
    counts = dict(LinkClick.objects.filter(edition=edition).values_list("url", "clicks"))
    assert counts == {TARGET: 3, "https://example.org/other": 1}


def test_a_head_request_from_a_mail_scanner_is_not_counted(client, edition):
    client.head(_link(edition))
    assert not LinkClick.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        "https:--evil.example.org",
        tokens.link_token(edition_id=999_999, url="https://evil.example.org"),
    ],
    ids=["unsigned", "signed-for-another-edition"],
)
def test_the_redirect_refuses_a_target_it_did_not_sign(client, edition, token):
    response = client.get(reverse("newsletter:link", args=[edition.pk, token]))
    assert response.status_code == 400
    assert "evil" not in response.get("Location", "")
    assert not LinkClick.objects.exists()


def test_a_signed_target_that_is_not_a_web_address_is_refused(client, edition):
    token = tokens.link_token(edition_id=edition.pk, url="javascript:alert(1)")
    assert client.get(reverse("newsletter:link", args=[edition.pk, token])).status_code == 400


def test_the_edition_s_web_links_go_through_the_redirect_without_the_recipient(edition):
    SectionFactory(edition=edition, body="See [the guide](https://example.org/reg44).")
    html, text = edition_render(edition)
    hrefs = re.findall(r'href="([^"]+)"', html)
    counted = [href for href in hrefs if "/newsletter/r/" in href]
    assert counted and not any("example.org/reg44" in href for href in hrefs)
    # The personal links stay placeholders, filled per recipient, and are not counted.
    assert "%%NEWSLETTER_UNSUBSCRIBE_URL%%" in html
    assert "https://example.org/reg44" in text


def test_the_progress_page_shows_clicks_per_link(client, staff, edition):
    client.get(_link(edition))
    client.get(_link(edition))
    client.force_login(staff)
    page = client.get(
        reverse("admin:newsletter_edition_progress", args=[edition.pk])
    ).content.decode()
    assert "Clicks per link" in page
    assert "<td>2</td>" in page
