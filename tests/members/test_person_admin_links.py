"""A person's page in the admin leads to everything kept about them elsewhere."""

import re

import pytest
from django.urls import reverse

from tests.forum.factories import PostFactory
from tests.members.factories import SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db


def person_page_links(client, person) -> dict[str, str]:
    html = client.get(reverse("admin:members_user_change", args=[person.pk])).content.decode()
    row = re.search(r"Kept about them.*?</div>\s*</div>", html, re.S)[0]
    return {
        text: url.replace("&amp;", "&")
        for url, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', row)
    }


def test_a_person_s_page_links_to_their_records_in_every_app(staff_client):
    person = UserFactory(email="ruth.kaye@example.org")

    links = person_page_links(staff_client, person)

    assert set(links) == {
        "Subscriptions",
        "Invoices",
        "Data requests",
        "Forum posts",
        "Reports they made",
        "Forum suspensions",
        "Event places",
        "Newsletter subscription",
    }


def test_every_link_opens_its_list_filtered_to_the_person(staff_client):
    person = UserFactory(email="ruth.kaye@example.org")

    for text, url in person_page_links(staff_client, person).items():
        response = staff_client.get(url)
        # The admin answers a filter it does not allow by showing everything (?e=1).
        assert response.status_code == 200, text


def test_the_forum_posts_link_lists_their_posts_only(staff_client):
    person = UserFactory(email="ruth.kaye@example.org")
    theirs = PostFactory(author=person, body="Our handover notes, shared.")
    PostFactory(body="Someone else's handover notes.")
    SubscriptionFactory(user=person)

    html = staff_client.get(person_page_links(staff_client, person)["Forum posts"]).content.decode()

    assert f"/admin/forum/post/{theirs.pk}/change/" in html
    assert "1 post" in html
