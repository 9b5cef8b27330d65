"""forum/access.py: who reads and posts where, moderates, and may act on which post."""

import pytest
from django.utils import timezone

from forum import access
from forum.models import Suspension
from members import access as members_access
from members.models import SubscriptionStatus
from tests.forum.factories import CategoryFactory, thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        ("registered", False),
        ("lapsed", False),
        ("provider_member", True),
        ("commissioner_member", True),
        ("policy_member", True),
        ("moderator", True),
        ("staff", True),
    ],
)
def test_members_read_a_members_room_and_others_do_not(request, room, role, reads):
    user = request.getfixturevalue(role)
    assert access.can_read_category(user, room) is reads


@pytest.mark.parametrize(
    ("role", "reads", "posts"),
    [
        ("provider_member", False, False),
        ("policy_member", False, False),
        ("commissioner_member", True, True),
        ("moderator", True, True),
        ("registered", False, False),
    ],
)
def test_commissioners_room_is_for_commissioners(request, commissioners_room, role, reads, posts):
    user = request.getfixturevalue(role)
    assert access.can_read_category(user, commissioners_room) is reads
    assert access.can_post_in_category(user, commissioners_room) is posts


def test_registered_non_members_read_an_open_room_but_never_post(registered, lapsed, open_room):
    for person in (registered, lapsed):
        assert access.can_read_category(person, open_room)
        assert not access.can_post_in_category(person, open_room)


def test_member_type_may_read_without_posting(provider_member):
    listening = CategoryFactory(name="Announcements", providers_may_post=False)
    assert access.can_read_category(provider_member, listening)
    assert not access.can_post_in_category(provider_member, listening)


def test_anonymous_reads_nothing(room, open_room):
    from django.contrib.auth.models import AnonymousUser

    assert not access.can_read_category(AnonymousUser(), open_room)
    assert list(access.readable_categories(AnonymousUser())) == []


def test_lapsed_member_loses_posting_and_reading_at_once(room, member):
    assert access.can_post_in_category(member, room)
    member.subscriptions.update(status=SubscriptionStatus.CANCELED)
    members_access.forget(member)
    assert not access.can_read_category(member, room)
    assert not access.can_post_in_category(member, room)


def test_suspended_member_reads_but_cannot_post(room, member, moderator):
    Suspension.objects.create(
        member=member,
        until=timezone.now() + timezone.timedelta(days=7),
        reason="Repeated personal remarks",
        created_by=moderator,
    )
    access.forget_forum(member)
    assert access.can_read_category(member, room)
    assert not access.can_post_in_category(member, room)


def test_lifted_or_ended_suspension_no_longer_stops_posting(room, member):
    Suspension.objects.create(
        member=member,
        starts_at=timezone.now() - timezone.timedelta(days=8),
        until=timezone.now() - timezone.timedelta(days=1),
        reason="Ended",
    )
    assert access.can_post_in_category(member, room)


def test_category_moderator_moderates_only_their_category(room, commissioners_room, member):
    room.moderators.add(member)
    assert access.is_category_moderator(member, room)
    assert not access.is_category_moderator(member, commissioners_room)
    assert access.is_forum_moderator(member)


def test_readable_categories_follow_the_member_type(
    room, commissioners_room, open_room, provider_member, commissioner_member, registered
):
    def names(user):
        return set(access.readable_categories(user).values_list("slug", flat=True))

    assert names(provider_member) == {"workforce-and-training", "welcome"}
    assert names(commissioner_member) == {
        "workforce-and-training",
        "welcome",
        "commissioners-room",
    }
    assert names(registered) == {"welcome"}


def test_readable_categories_q_filters_threads(room, commissioners_room, provider_member):
    from forum.models import Thread

    thread_with_posts(posts=1, category=room, author=provider_member)
    thread_with_posts(posts=1, category=commissioners_room, author=provider_member)
    readable = Thread.objects.filter(
        access.readable_categories_q(provider_member, prefix="category__")
    )
    assert [t.category.slug for t in readable] == ["workforce-and-training"]


def test_author_edits_within_the_window_only(settings, room, member):
    settings.FORUM_EDIT_WINDOW_MINUTES = 30
    thread = thread_with_posts(posts=1, category=room, author=member)
    post = thread.posts.get()
    post.created_at = timezone.now() - timezone.timedelta(minutes=10)
    assert access.can_edit_post(member, post)
    post.created_at = timezone.now() - timezone.timedelta(minutes=31)
    assert not access.can_edit_post(member, post)


def test_an_author_no_longer_edits_a_post_a_moderator_edited(room, member, moderator):
    post = thread_with_posts(
        posts=1, category=room, author=member, created=timezone.now()
    ).posts.get()

    post.edited_by = moderator

    assert not access.can_edit_post(member, post)
    assert access.can_delete_post(member, post)
    assert access.can_edit_post(moderator, post)


def test_an_author_does_not_edit_a_post_the_moderators_hid(room, member, moderator):
    post = thread_with_posts(
        posts=1, category=room, author=member, created=timezone.now()
    ).posts.get()

    post.state = "hidden"

    assert not access.can_edit_post(member, post)
    assert access.can_edit_post(moderator, post)


def test_nobody_but_moderators_edits_someone_elses_post(room, member, second_member, moderator):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    assert not access.can_edit_post(second_member, post)
    post.created_at = timezone.now() - timezone.timedelta(days=30)
    assert access.can_edit_post(moderator, post)


def test_category_readers_q_lists_exactly_who_may_read(
    commissioners_room, provider_member, commissioner_member, moderator, registered
):
    from members.models import User

    readers = set(User.objects.filter(access.category_readers_q(commissioners_room)))
    assert commissioner_member in readers
    assert moderator in readers
    assert provider_member not in readers
    assert registered not in readers


def test_category_readers_q_leaves_out_a_suspended_moderator_who_may_not_read_the_room(
    commissioners_room, moderator, staff
):
    from members.models import User

    Suspension.objects.create(
        member=moderator,
        until=timezone.now() + timezone.timedelta(days=7),
        reason="Shared a thread outside the forum",
        created_by=staff,
    )

    readers = set(User.objects.filter(access.category_readers_q(commissioners_room)))

    assert not access.can_read_category(moderator, commissioners_room)
    assert moderator not in readers


def test_a_visible_posts_body_is_shown_without_looking_up_its_room(
    room, member, second_member, django_assert_num_queries
):
    thread = thread_with_posts(category=room, author=member, posts=1)
    post = type(thread).objects.get(pk=thread.pk).posts.get()  # thread not loaded
    with django_assert_num_queries(0):
        assert access.can_see_post_body(second_member, post)


def test_post_permissions_for_a_page_agree_with_the_single_post_questions(
    room, member, second_member, moderator
):
    thread = thread_with_posts(category=room, author=member, authors=[member, second_member],
                               posts=4)  # fmt: skip
    posts = list(thread.posts.order_by("post_number"))
    posts[1].state = "held"
    posts[2].state = "hidden"
    posts[3].state = "removed"
    for user in (member, second_member, moderator):
        may = access.PostPermissions(user, room)
        for post in posts:
            assert may.see_body(post) == access.can_see_post_body(user, post)
            assert may.edit(post) == access.can_edit_post(user, post)
            assert may.delete(post) == access.can_delete_post(user, post)
            assert may.report(post) == access.can_report_post(user, post)
            assert may.react(post) == access.can_react(user, post)
