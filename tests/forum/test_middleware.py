"""Moderators set up two-factor authentication before any page, as staff do
(forum/middleware.py); members who moderate nothing are never asked."""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from forum.models import PostState, Suspension
from members.access import MODERATORS_GROUP
from tests import roles
from tests.forum.factories import CategoryFactory, category_moderator, thread_with_posts

pytestmark = pytest.mark.django_db

SET_UP = reverse_lazy("mfa_index")


@pytest.mark.parametrize(
    "url",
    [
        reverse_lazy("forum:moderation_queue"),
        reverse_lazy("forum:moderation_suspensions"),
        reverse_lazy("forum:index"),
        reverse_lazy("members:account"),
        reverse_lazy("home"),
    ],
)
def test_moderator_without_two_factor_reaches_no_page_but_setting_it_up(client, url):
    client.force_login(roles.moderator_without_two_factor())

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == SET_UP


def test_moderator_without_two_factor_sees_no_hidden_post_in_a_thread(client):
    thread = thread_with_posts(posts=2)
    thread.posts.filter(post_number=2).update(state=PostState.HIDDEN)
    client.force_login(roles.moderator_without_two_factor())

    response = client.get(thread.get_absolute_url())

    assert response.url == SET_UP


def test_moderator_without_two_factor_is_told_why_and_what_to_do(client):
    client.force_login(roles.moderator_without_two_factor())

    response = client.get(reverse("forum:moderation_queue"), follow=True)

    text = response.content.decode()
    assert "You moderate the forum, so your account needs two-factor authentication" in text
    assert "reports about children" in text
    assert reverse("mfa_activate_totp") in text
    assert "If you lose your phone or security key" in text
    assert reverse("contact") in text


def test_moderator_without_two_factor_can_set_it_up_and_sign_out(client):
    client.force_login(roles.moderator_without_two_factor())

    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).url.startswith(
        reverse("account_reauthenticate")
    )
    assert client.get(reverse("account_logout")).status_code == 200


def test_moderator_with_two_factor_reaches_the_review_queue(client, moderator):
    client.force_login(moderator)

    assert client.get(reverse("forum:moderation_queue")).status_code == 200


def test_moderator_with_recovery_codes_alone_is_sent_to_set_up_two_factor(client):
    moderator = roles.moderator_without_two_factor()
    Authenticator.objects.create(
        user=moderator, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x", "used_mask": 0}
    )
    client.force_login(moderator)

    assert client.get(reverse("forum:moderation_queue")).url == SET_UP


def test_moderator_of_one_room_without_two_factor_is_sent_to_set_it_up(client):
    room = CategoryFactory()
    client.force_login(category_moderator(room, two_factor=False))

    response = client.get(reverse("forum:category", kwargs={"slug": room.slug}))

    assert response.url == SET_UP


def test_moderator_of_one_room_with_two_factor_moderates_it(client):
    room = CategoryFactory()
    client.force_login(category_moderator(room))

    assert client.get(reverse("forum:moderation_queue")).status_code == 200


def test_member_made_a_moderator_is_sent_to_set_up_two_factor_at_their_next_page(client, member):
    client.force_login(member)
    assert client.get(reverse("forum:index")).status_code == 200

    member.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])

    response = client.get(reverse("forum:index"))
    assert response.url == SET_UP
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["warning"]


def test_suspended_moderator_is_still_asked_for_two_factor(client):
    moderator = roles.moderator_without_two_factor()
    # Their powers come back by themselves when the suspension ends, mid-session.
    Suspension.objects.create(
        member=moderator, until=timezone.now() + timedelta(days=7), reason="Reviewing."
    )
    client.force_login(moderator)

    assert client.get(reverse("forum:index")).url == SET_UP


def test_superuser_who_is_not_staff_is_asked_for_two_factor(client):
    user = roles.registered()
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    client.force_login(user)

    assert client.get(reverse("forum:index")).url == SET_UP


@pytest.mark.parametrize("role", ["registered", "provider_member", "lapsed", "org_admin"])
def test_people_who_moderate_nothing_are_not_asked_for_two_factor(client, role):
    client.force_login(getattr(roles, role)())

    assert client.get(reverse("forum:index")).status_code == 200


def test_staff_without_two_factor_are_told_in_the_staff_words(client):
    client.force_login(roles.staff_without_two_factor())

    response = client.get(reverse("forum:moderation_queue"), follow=True)

    text = response.content.decode()
    assert "Staff accounts need two-factor authentication" in text
    assert "You moderate the forum" not in text


def test_whether_a_member_moderates_is_asked_once_with_their_standing(client, member):
    client.force_login(member)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("forum:index")).status_code == 200

    asked = [q["sql"] for q in queries.captured_queries if "Moderators" in q["sql"]]
    assert len(asked) == 1


@pytest.mark.parametrize("role", ["registered", "lapsed"])
def test_whether_someone_without_a_membership_moderates_is_asked_once_with_their_history(
    client, role
):
    client.force_login(getattr(roles, role)())

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("members:account")).status_code == 200

    asked = [q["sql"] for q in queries.captured_queries if "Moderators" in q["sql"]]
    assert len(asked) == 1
