"""The home page: a start page for members, the public page with a next step for
everyone else, and forum activity that shows nobody a room they may not read."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import Follow, ThreadReadState
from members.access import AccessLevel
from members.models import MemberType
from newsletter.models import Edition
from newsletter.selectors import latest_edition_for
from tests.forum.factories import CategoryFactory, thread_with_posts
from tests.members.factories import TopicFactory
from tests.newsletter.factories import EditionFactory, NewsletterFactory
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _home(client, user=None):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("home"))


def _commissioners_room():
    return CategoryFactory(
        name="Commissioners only",
        providers_may_read=False,
        policy_may_read=False,
        registered_may_read=False,
    )


def _sent_edition(**fields) -> Edition:
    fields.setdefault("finished_at", timezone.now())
    return EditionFactory(status=Edition.Status.SENT, **fields)


# --- Members ------------------------------------------------------------------------


def test_a_member_with_a_subscription_sees_their_membership_and_its_renewal_date(
    client, provider_member
):
    renews = provider_member.subscriptions.get().current_period_end
    response = _home(client, provider_member)
    assert "network/home_member.html" in [t.name for t in response.templates]
    assert f"renews on {renews:%-d %B %Y}" in response.content.decode()
    assert "See membership plans" not in response.content.decode()


def test_a_member_with_a_seat_sees_the_organisation_it_comes_from(client, commissioner_member):
    response = _home(client, commissioner_member)
    assert "through your seat at Northmoor Council" in response.content.decode()


def test_a_member_with_a_grant_sees_it_and_its_last_day(client, policy_member):
    ends_on = policy_member.membership_grants.get().ends_on
    response = _home(client, policy_member)
    assert f"granted by the network, until {ends_on:%-d %B %Y}" in response.content.decode()


def test_a_member_sees_new_resources_in_their_topics_only(client, provider_member):
    staffing, finance = TopicFactory(name="Staffing"), TopicFactory(name="Finance")
    provider_member.topics.add(staffing)
    ResourceFactory(title="Rotas that keep staff", topics=[staffing])
    ResourceFactory(title="Fees and budgets", topics=[finance])
    response = _home(client, provider_member)
    titles = [r.title for r in response.context["new_resources"]]
    assert titles == ["Rotas that keep staff"]


def test_a_member_is_not_offered_resources_older_than_three_months_as_new(client, provider_member):
    staffing = TopicFactory(name="Staffing")
    provider_member.topics.add(staffing)
    ResourceFactory(
        title="Old guide", topics=[staffing], published_at=timezone.now() - timedelta(days=400)
    )
    response = _home(client, provider_member)
    assert response.context["new_resources"] == []


def test_a_member_sees_unread_threads_they_follow_and_not_those_they_have_read(
    client, provider_member
):
    room = CategoryFactory(name="Practice")
    unread = thread_with_posts(category=room, title="Night staffing ratios")
    read = thread_with_posts(category=room, title="Supervision notes")
    not_followed = thread_with_posts(category=room, title="Holiday activities")
    Follow.objects.create(user=provider_member, thread=unread)
    Follow.objects.create(user=provider_member, thread=read)
    ThreadReadState.objects.create(
        user=provider_member, thread=read, last_read_post_number=read.last_post_number
    )
    response = _home(client, provider_member)
    titles = [row.thread.title for row in response.context["unread_threads"]]
    assert titles == ["Night staffing ratios"]
    assert not_followed.title not in titles


def test_a_member_sees_the_latest_edition_they_may_read(client, provider_member):
    _sent_edition(subject="Open to all", newsletter=NewsletterFactory(name="Practice update"))
    commissioners = NewsletterFactory(name="Commissioning", restricted_to=MemberType.COMMISSIONER)
    _sent_edition(
        subject="For commissioners",
        newsletter=commissioners,
        archive_access=Edition.ArchiveAccess.MEMBERS,
        finished_at=timezone.now() + timedelta(minutes=1),
    )
    response = _home(client, provider_member)
    assert response.context["latest_edition"].subject == "Open to all"


def test_a_provider_never_sees_a_commissioners_only_room_s_thread_titles_on_their_home(
    client, provider_member
):
    thread = thread_with_posts(category=_commissioners_room(), title="Framework rates for 2027")
    Follow.objects.create(user=provider_member, category=thread.category)
    response = _home(client, provider_member)
    assert "Framework rates for 2027" not in response.content.decode()


@pytest.mark.parametrize("items", [3, 30])
def test_the_members_start_page_makes_the_same_number_of_queries_however_much_there_is(
    client, provider_member, django_assert_max_num_queries, items
):
    topic = TopicFactory(name="Staffing")
    provider_member.topics.add(topic)
    room = CategoryFactory(name="Practice")
    for number in range(items):
        ResourceFactory(title=f"Guide {number}", topics=[topic], access_level=AccessLevel.MEMBERS)
        thread = thread_with_posts(category=room, posts=1, title=f"Thread {number}")
        Follow.objects.create(user=provider_member, thread=thread)
        _sent_edition(subject=f"Edition {number}")
    client.force_login(provider_member)
    client.get(reverse("home"))  # the first visit records the device
    with django_assert_max_num_queries(14):
        response = client.get(reverse("home"))
    assert len(response.context["unread_threads"]) == min(items, 5)


# --- Visitors, registered and lapsed people -----------------------------------------


def test_a_visitor_sees_this_month_s_forum_counts_and_no_members_only_title(client):
    thread_with_posts(category=_commissioners_room(), title="Framework rates for 2027", posts=2)
    response = _home(client)
    page = response.content.decode()
    assert "Framework rates for 2027" not in page
    assert "Commissioners only" not in page
    assert "1 new thread" in page and "2 posts" in page


def test_a_registered_person_is_asked_to_join_and_sees_only_threads_open_to_them(
    client, registered
):
    thread_with_posts(category=_commissioners_room(), title="Framework rates for 2027")
    thread_with_posts(
        category=CategoryFactory(name="Open room", registered_may_read=True),
        title="Welcome, everyone",
    )
    response = _home(client, registered)
    page = response.content.decode()
    assert "Join the network" in page
    assert "Welcome, everyone" in page
    assert "Framework rates for 2027" not in page


def test_a_lapsed_member_is_asked_to_renew(client, lapsed):
    response = _home(client, lapsed)
    assert "Renew your membership" in response.content.decode()


@pytest.mark.parametrize("items", [3, 30])
def test_the_public_home_page_makes_the_same_number_of_queries_however_much_there_is(
    client, django_assert_max_num_queries, items
):
    room = CategoryFactory(name="Practice")
    for number in range(items):
        ResourceFactory(title=f"Guide {number}")
        thread_with_posts(category=room, posts=1, title=f"Thread {number}")
    with django_assert_max_num_queries(12):
        client.get(reverse("home"))


def test_a_member_s_unread_threads_are_not_listed_again_among_the_latest(client, provider_member):
    thread = thread_with_posts(category=CategoryFactory(name="Practice"), title="Night rotas")
    Follow.objects.create(user=provider_member, thread=thread)
    response = _home(client, provider_member)
    assert response.content.decode().count("Night rotas") == 1


def test_a_registered_person_is_not_offered_a_members_only_edition(registered):
    _sent_edition(subject="Open to all")
    _sent_edition(
        subject="Members only",
        archive_access=Edition.ArchiveAccess.MEMBERS,
        finished_at=timezone.now() + timedelta(minutes=1),
    )
    assert latest_edition_for(registered).subject == "Open to all"


def test_staff_who_are_not_members_are_sent_to_their_work_not_asked_to_join(client, staff):
    client.force_login(staff)
    text = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("admin:index")}">The admin' in text
    assert "Join the network" not in text


def test_an_editor_who_is_not_a_member_is_sent_to_the_admin(client, editor):
    client.force_login(editor)
    text = client.get(reverse("home")).content.decode()
    assert "The admin" in text
    assert "The moderation queue" not in text
    assert "Join the network" not in text


def test_a_registered_person_is_still_asked_to_join(client, registered):
    client.force_login(registered)
    text = client.get(reverse("home")).content.decode()
    assert "Join the network" in text
    assert "The admin" not in text
