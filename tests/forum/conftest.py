import pytest

from members.models import MemberType
from tests.forum.factories import CategoryFactory, member_of_type


@pytest.fixture(autouse=True)
def _forum_settings(settings):
    """Most tests are about established members; the hold tests set the count back."""
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 0
    settings.FORUM_POST_RATE_LIMIT = 100
    settings.SITE_URL = "https://network.example.org"


@pytest.fixture
def room(db):
    """A category every member type reads and posts in; closed to non-members."""
    return CategoryFactory(name="Workforce and training", slug="workforce-and-training")


@pytest.fixture
def commissioners_room(db):
    return CategoryFactory(
        name="Commissioners' room",
        slug="commissioners-room",
        providers_may_read=False,
        policy_may_read=False,
        providers_may_post=False,
        policy_may_post=False,
    )


@pytest.fixture
def open_room(db):
    return CategoryFactory(name="Welcome", slug="welcome", registered_may_read=True)


@pytest.fixture
def second_member(db):
    return member_of_type(MemberType.PROVIDER, name="Nia Sharma", email="nia@example.org")


@pytest.fixture
def third_member(db):
    return member_of_type(MemberType.POLICY, name="Owen Price", email="owen@example.org")
