"""can_read_resource and uses_free_read: who reads a library resource, with free reads."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from members.access import AccessLevel
from practice_library.access import can_read_resource, uses_free_read


def resource(level: str) -> SimpleNamespace:
    return SimpleNamespace(access_level=level)


@pytest.mark.parametrize("level", list(AccessLevel))
def test_member_reads_every_level_without_free_reads(member, level):
    assert can_read_resource(member, resource(level), free_reads_left=0)
    assert not uses_free_read(member, resource(level))


@pytest.mark.parametrize("role", ["editor", "staff"])
def test_editors_and_staff_read_members_only_resources(request, role):
    user = request.getfixturevalue(role)

    assert can_read_resource(user, resource(AccessLevel.MEMBERS), free_reads_left=0)


def test_anonymous_reads_public_resources_only():
    anonymous = AnonymousUser()

    assert can_read_resource(anonymous, resource(AccessLevel.PUBLIC), free_reads_left=3)
    assert not can_read_resource(anonymous, resource(AccessLevel.REGISTERED), free_reads_left=3)
    assert not can_read_resource(anonymous, resource(AccessLevel.MEMBERS), free_reads_left=3)
    assert not uses_free_read(anonymous, resource(AccessLevel.MEMBERS))


def test_registered_reads_registered_resources_without_a_free_read(registered):
    assert can_read_resource(registered, resource(AccessLevel.REGISTERED), free_reads_left=0)
    assert not uses_free_read(registered, resource(AccessLevel.REGISTERED))


def test_registered_reads_members_only_resource_while_free_reads_are_left(registered):
    members_only = resource(AccessLevel.MEMBERS)

    assert uses_free_read(registered, members_only)
    assert can_read_resource(registered, members_only, free_reads_left=1)
    assert not can_read_resource(registered, members_only, free_reads_left=0)


def test_registered_rereads_a_resource_opened_this_month_with_no_free_reads_left(registered):
    assert can_read_resource(
        registered,
        resource(AccessLevel.MEMBERS),
        free_reads_left=0,
        already_read_this_month=True,
    )


def test_lapsed_member_is_a_non_member_with_free_reads(lapsed):
    members_only = resource(AccessLevel.MEMBERS)

    assert uses_free_read(lapsed, members_only)
    assert not can_read_resource(lapsed, members_only, free_reads_left=0)


def test_inactive_account_gets_no_free_reads(registered):
    registered.is_active = False

    assert not can_read_resource(registered, resource(AccessLevel.MEMBERS), free_reads_left=3)
