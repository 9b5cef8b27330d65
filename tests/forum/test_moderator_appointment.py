"""Nobody is made a moderator in the admin (the Moderators group, or a room's moderator)
before they have two-factor: the moderators' pages wait for it, and an account appointed
first would let whoever holds only its password set it up in their place."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from forum.models import Category
from members.access import MODERATORS_GROUP
from tests import roles
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderators_group():
    return Group.objects.get_or_create(name=MODERATORS_GROUP)[0]


@pytest.fixture
def person():
    return UserFactory(name="Tomasz Nowak", email="tomasz@example.org")


def _groups(staff_client, person, groups):
    return staff_client.post(
        reverse("admin:members_user_change", args=[person.pk]),
        {
            "email": person.email,
            "name": person.name,
            "is_active": "on",
            "groups": [group.pk for group in groups],
            "seats-TOTAL_FORMS": "0",
            "seats-INITIAL_FORMS": "0",
        },
    )


def _room_moderators(staff_client, room, people):
    return staff_client.post(
        reverse("admin:forum_category_change", args=[room.pk]),
        {
            "name": room.name,
            "slug": room.slug,
            "description": room.description,
            "order": "0",
            "providers_may_read": "on",
            "commissioners_may_read": "on",
            "policy_may_read": "on",
            "providers_may_post": "on",
            "commissioners_may_post": "on",
            "policy_may_post": "on",
            "moderators": [p.pk for p in people],
        },
    )


REFUSAL = (
    "cannot be made {role} yet: they must turn on two-factor authentication from their "
    "account page first"
)


def test_someone_without_two_factor_is_not_added_to_the_moderators(
    staff_client, person, moderators_group
):
    response = _groups(staff_client, person, [moderators_group])

    assert response.status_code == 200
    page = response.content.decode()
    assert "Tomasz Nowak (tomasz@example.org) " + REFUSAL.format(role="a moderator") in page
    assert "nobody holding only their password can set it up in their place" in page
    assert not person.groups.exists()


def test_someone_with_two_factor_is_added_to_the_moderators(staff_client, person, moderators_group):
    roles.with_two_factor(person)

    response = _groups(staff_client, person, [moderators_group])

    assert response.status_code == 302
    assert list(person.groups.all()) == [moderators_group]


def test_a_moderator_who_has_not_set_up_two_factor_yet_keeps_their_other_groups_edited(
    staff_client, moderators_group
):
    # Appointed before the rule (or seeded): saving their account again is no appointment.
    moderator = roles.moderator_without_two_factor()
    editors = Group.objects.create(name="Newsletter helpers")

    response = _groups(staff_client, moderator, [moderators_group, editors])

    assert response.status_code == 302
    assert set(moderator.groups.all()) == {moderators_group, editors}


def test_someone_without_two_factor_is_not_named_a_room_s_moderator(staff_client, room, person):
    response = _room_moderators(staff_client, room, [person])

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Tomasz Nowak (tomasz@example.org) " + REFUSAL.format(role="a moderator of this room")
        in page
    )
    assert not room.moderators.exists()


def test_each_person_without_two_factor_is_named(staff_client, room, person):
    other = UserFactory(name="Ada Lewis", email="ada@example.org")
    ready = roles.with_two_factor(UserFactory(name="Ruth Okoro"))

    response = _room_moderators(staff_client, room, [person, other, ready])

    errors = response.context["adminform"].form.errors["moderators"]
    assert {error.split(" cannot")[0] for error in errors} == {
        "Tomasz Nowak (tomasz@example.org)",
        "Ada Lewis (ada@example.org)",
    }


def test_someone_with_two_factor_is_named_a_room_s_moderator(staff_client, room, person):
    roles.with_two_factor(person)

    response = _room_moderators(staff_client, room, [person])

    assert response.status_code == 302
    assert list(Category.objects.get(pk=room.pk).moderators.all()) == [person]


def test_a_room_s_moderators_already_named_stay_when_the_room_is_saved(staff_client, room, person):
    room.moderators.add(person)

    response = _room_moderators(staff_client, room, [person])

    assert response.status_code == 302
    assert list(room.moderators.all()) == [person]
