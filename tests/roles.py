"""One person per role, as plain functions: the role fixtures in tests/conftest.py call
them for one test, and a module that needs the same people for many tests (the access
matrix) makes them once.

Roles follow members/access: anonymous, registered, member of each type (personal, seat,
staff grant), lapsed, org admin, moderator, editor, staff.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from members.access import MODERATORS_GROUP
from members.models import MemberType, SubscriptionStatus, User
from members.staff_groups import editors_group
from tests.members.factories import (
    GrantFactory,
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
)


def registered() -> User:
    return UserFactory(email="registered@example.org", name="Grace Lewis")


def provider_member() -> User:
    plan = PlanFactory(slug="provider-annual", member_type=MemberType.PROVIDER)
    subscription = SubscriptionFactory(
        user=UserFactory(email="provider@example.org", member_type=MemberType.PROVIDER),
        plan=plan,
    )
    return subscription.user


def commissioner_member() -> User:
    """A commissioner with a seat in a council whose subscription is active."""
    council = OrganisationFactory(name="Northmoor Council", org_type=MemberType.COMMISSIONER)
    plan = PlanFactory(
        slug="council-organisation", member_type=MemberType.COMMISSIONER, organisation=True
    )
    SubscriptionFactory(user=None, organisation=council, plan=plan, quantity=10)
    seat = SeatFactory(
        organisation=council,
        user=UserFactory(email="commissioner@example.org", member_type=MemberType.COMMISSIONER),
    )
    return seat.user


def policy_member() -> User:
    """A policy maker whose membership was granted by staff."""
    grant = GrantFactory(
        user=UserFactory(email="policy@example.org", member_type=MemberType.POLICY),
        member_type=MemberType.POLICY,
    )
    return grant.user


def self_typed_member() -> User:
    """A policy maker with a staff grant who posted member_type=commissioner (and is_staff)
    to their own profile form, and whose profile says commissioner."""
    grant = GrantFactory(
        user=UserFactory(email="self.typed@example.org", member_type=MemberType.POLICY),
        member_type=MemberType.POLICY,
    )
    own_client = Client()
    own_client.force_login(grant.user)
    own_client.post(
        "/account/profile/",
        {"name": "Sam Ward", "member_type": MemberType.COMMISSIONER, "is_staff": "on"},
    )
    # Before the grant, as a registered person, they could say so legitimately: the "work"
    # in their profile then reads commissioner, and must still open nothing.
    type(grant.user).objects.filter(pk=grant.user.pk).update(member_type=MemberType.COMMISSIONER)
    grant.user.refresh_from_db()
    return grant.user


def org_admin() -> User:
    organisation = OrganisationFactory(name="Harbour Lights Homes")
    plan = PlanFactory(slug="provider-organisation", organisation=True)
    SubscriptionFactory(user=None, organisation=organisation, plan=plan, quantity=10)
    seat = SeatFactory(
        organisation=organisation,
        user=UserFactory(email="orgadmin@example.org"),
        is_admin=True,
    )
    return seat.user


def lapsed() -> User:
    subscription = SubscriptionFactory(
        user=UserFactory(email="lapsed@example.org"),
        status=SubscriptionStatus.CANCELED,
        current_period_end=timezone.now() - timedelta(days=3),
        ended_at=timezone.now() - timedelta(days=3),
    )
    return subscription.user


def moderator() -> User:
    """A moderator of every forum room (the Moderators group) with two-factor set up, as
    moderators must (forum/middleware.py); one who has not set it up yet is
    moderator_without_two_factor(), and someone who moderates one room is
    tests/forum/factories.py's category_moderator(room)."""
    return with_two_factor(moderator_without_two_factor())


def moderator_without_two_factor() -> User:
    user = UserFactory(email="moderator@example.org")
    SubscriptionFactory(user=user)
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


def editor() -> User:
    """Editors are staff, so they have two-factor set up, as staff must; their group
    holds what the network's Editors group holds (members/staff_groups.py)."""
    user = UserFactory(email="editor@example.org", is_staff=True)
    user.groups.add(editors_group())
    return with_two_factor(user)


def staff() -> User:
    """Staff with two-factor set up, as staff must (members/middleware.py); someone made
    staff who has not set it up yet is staff_without_two_factor()."""
    return with_two_factor(staff_without_two_factor())


def staff_without_two_factor() -> User:
    return UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)


def with_two_factor(user: User) -> User:
    """`user` with an authenticator app set up: the site lets staff and moderators in
    only then."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    return user


def session_cookie(user: User) -> str:
    """The session cookie of a new session signed in as `user`, made as signing in makes
    it (so two-factor counts as passed when the person has it set up)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
