from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum import access
from forum.models import (
    Category,
    HoldReason,
    Post,
    PostState,
    ReviewItem,
    ReviewKind,
    Thread,
    WatchPattern,
)
from members.models import User
from tests.forum.factories import thread_with_posts
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

# The forum's demo and what it builds on (people and topics), without the other apps'.
FORUM_DEMO = ("network", "members", "forum")


def test_staff_manage_categories_threads_posts_and_the_watch_list(staff_client, room, member):
    thread = thread_with_posts(posts=1, category=room, author=member, title="Admin check")
    for name, args in [
        ("admin:forum_category_changelist", []),
        ("admin:forum_category_change", [room.pk]),
        ("admin:forum_thread_changelist", []),
        ("admin:forum_thread_change", [thread.pk]),
        ("admin:forum_post_changelist", []),
        ("admin:forum_watchpattern_changelist", []),
        ("admin:forum_watchpattern_add", []),
    ]:
        assert staff_client.get(reverse(name, args=args)).status_code == 200, name


def test_a_categorys_page_names_its_moderators_not_every_person_with_an_account(staff_client, room):
    room.moderators.add(UserFactory(name="Mina Okafor"))
    UserFactory(name="Sam Unrelated")

    page = staff_client.get(reverse("admin:forum_category_change", args=[room.pk])).text

    assert "Mina Okafor" in page
    assert "Sam Unrelated" not in page


def test_staff_cannot_start_a_thread_in_the_admin(staff_client):
    """A thread begins with its first post: an empty one would break its pages."""
    assert staff_client.get(reverse("admin:forum_thread_add")).status_code == 403


def test_staff_cannot_delete_threads_or_posts_in_the_admin(staff_client, room, member):
    """Deleting there would renumber nothing, skip the counts and leave no moderation
    log: moderators hide, authors remove their own, on the forum's pages."""
    thread = thread_with_posts(posts=2, category=room, author=member, title="Kept")
    post = thread.posts.first()
    for name, obj in [("admin:forum_thread_delete", thread), ("admin:forum_post_delete", post)]:
        assert staff_client.post(reverse(name, args=[obj.pk]), {"post": "yes"}).status_code == 403
    for name, obj in [("forum_thread", thread), ("forum_post", post)]:
        changelist = reverse(f"admin:{name}_changelist")
        action_form = staff_client.get(changelist).context["action_form"]
        offered = action_form.fields["action"].choices if action_form else []
        assert "delete_selected" not in [value for value, _ in offered]
        staff_client.post(
            changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )
    assert Thread.objects.filter(pk=thread.pk).exists()
    assert Post.objects.filter(thread=thread).count() == 2


def _post_list(staff_client, **params) -> list[str]:
    response = staff_client.get(reverse("admin:forum_post_changelist"), params)
    assert response.status_code == 200
    return [str(post) for post in response.context["cl"].result_list]


def test_the_post_list_is_newest_first(staff_client, room):
    older = thread_with_posts(posts=1, category=room, created=timezone.now() - timedelta(days=9))
    newer = thread_with_posts(posts=2, category=room, created=timezone.now() - timedelta(days=2))
    assert _post_list(staff_client) == [
        f"#2 in {newer.pk}",
        f"#1 in {newer.pk}",
        f"#1 in {older.pk}",
    ]


def test_staff_find_posts_by_their_threads_title(staff_client, room):
    wanted = thread_with_posts(posts=2, category=room, title="Staying Close in Kestrel Vale")
    thread_with_posts(posts=1, category=room, title="Ofsted visits")
    assert sorted(_post_list(staff_client, q="kestrel")) == [
        f"#1 in {wanted.pk}",
        f"#2 in {wanted.pk}",
    ]


def test_staff_find_posts_by_their_authors_name_or_address(staff_client, room):
    author = UserFactory(name="Imogen Thistlewood", email="imogen@harbourhomes.example")
    by_author = thread_with_posts(posts=1, category=room, author=author)
    thread_with_posts(posts=1, category=room)
    assert _post_list(staff_client, q="thistlewood") == [f"#1 in {by_author.pk}"]
    assert _post_list(staff_client, q="harbourhomes") == [f"#1 in {by_author.pk}"]


def test_every_word_of_a_post_search_must_match(staff_client, room):
    author = UserFactory(name="Imogen Thistlewood")
    both = thread_with_posts(posts=1, category=room, author=author, title="Kestrel Vale rotas")
    thread_with_posts(posts=1, category=room, title="Kestrel Vale staffing")
    thread_with_posts(posts=1, category=room, author=author, title="Other rotas")
    assert _post_list(staff_client, q="kestrel thistlewood") == [f"#1 in {both.pk}"]
    assert _post_list(staff_client, q='"kestrel vale" rotas') == [f"#1 in {both.pk}"]


def test_a_common_word_finds_its_posts_through_a_subquery(staff_client, room, monkeypatch):
    from forum import admin as forum_admin

    monkeypatch.setattr(forum_admin, "_IDS_AT_MOST", 1)
    threads = [thread_with_posts(posts=1, category=room, title=f"Rotas {n}") for n in range(3)]
    assert sorted(_post_list(staff_client, q="rotas")) == sorted(
        f"#1 in {thread.pk}" for thread in threads
    )


def test_the_post_list_asks_the_same_queries_for_ten_posts_or_two(
    staff_client, room, django_assert_max_num_queries
):
    thread_with_posts(posts=2, category=room)
    with CaptureQueriesContext(connection) as few:
        _post_list(staff_client, q="rotas")
    thread_with_posts(posts=10, category=room)
    with django_assert_max_num_queries(len(few)):
        _post_list(staff_client, q="rotas")


def test_admin_refuses_a_broken_watch_list_pattern(staff_client):
    response = staff_client.post(
        reverse("admin:forum_watchpattern_add"),
        {"name": "Broken", "kind": "regex", "pattern": "(oops", "action": "hold",
         "message": "", "is_active": "on", "extra_check": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "not a valid regular expression" in response.content.decode()
    assert not WatchPattern.objects.filter(name="Broken").exists()


def test_the_thread_admin_changes_the_title_but_leaves_moderation_to_its_page(
    staff_client, room, member
):
    """Locking, pinning, moving and merging need a reason, the counts kept and an entry
    in the moderation log: the thread's moderation page does them, not the admin."""
    other = Category.objects.create(name="Inspection and quality", slug="inspection")
    into = thread_with_posts(category=room, author=member, posts=1, title="Kept apart")
    thread = thread_with_posts(category=room, author=member, posts=3, title="Old title")
    response = staff_client.post(
        reverse("admin:forum_thread_change", args=[thread.pk]),
        {"title": "Handover notes that travel", "title_reason": "Clearer",
         "slug": thread.slug, "category": other.pk, "is_pinned": "on", "is_locked": "on",
         "merged_into": into.pk},
    )  # fmt: skip
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.title == "Handover notes that travel"
    assert (thread.category, thread.is_pinned, thread.is_locked, thread.merged_into) == (
        room, False, False, None
    )  # fmt: skip
    room.refresh_from_db()
    assert room.post_count == 4


def test_the_thread_admin_links_to_the_threads_moderation_page(staff_client, room, member):
    thread = thread_with_posts(category=room, author=member, posts=1)
    page = staff_client.get(reverse("admin:forum_thread_change", args=[thread.pk]))
    assert reverse("forum:moderation_thread", args=[thread.pk]) in page.content.decode()
    assert staff_client.get(reverse("forum:moderation_thread", args=[thread.pk])).status_code == 200


def test_seed_demo_adds_the_forum_with_a_commissioners_only_room():
    call_command("seed_demo", *FORUM_DEMO, verbosity=0)
    call_command("seed_demo", *FORUM_DEMO, verbosity=0)  # again: nothing doubles
    names = set(Category.objects.values_list("name", flat=True))
    assert {"Commissioning and contracts", "Workforce and training", "Inspection and quality",
            "Leaving care and Staying Close", "Commissioners' room"} <= names  # fmt: skip
    room = Category.objects.get(slug="commissioners-room")
    provider = User.objects.get(email="provider@example.org")
    commissioner = User.objects.get(email="commissioner@example.org")
    assert not access.can_read_category(provider, room)
    assert access.can_read_category(commissioner, room)
    assert Thread.objects.filter(category=room).exists()
    assert Thread.objects.count() == len(set(Thread.objects.values_list("title", flat=True)))
    # Every post is up but the two replies held for the moderators and the one a report hid.
    assert Post.objects.exclude(state=PostState.VISIBLE).count() == 3
    for category in Category.objects.filter(thread_count__gt=0):
        visible = Post.objects.filter(thread__category=category, state=PostState.VISIBLE)
        assert category.post_count == visible.count()


def test_seed_demo_leaves_the_moderators_held_and_reported_posts_of_different_ages_once():
    call_command("seed_demo", *FORUM_DEMO, verbosity=0)
    call_command("seed_demo", *FORUM_DEMO, verbosity=0)

    items = ReviewItem.objects.select_related("post").order_by("-created_at")
    assert [(item.kind, item.post.hold_reason) for item in items] == [
        (ReviewKind.HELD, HoldReason.WATCH_LIST),
        (ReviewKind.HELD, HoldReason.PREMODERATED),
        (ReviewKind.REPORTED, ""),
        (ReviewKind.REPORTED, ""),
    ]
    assert all(item.post.state == PostState.HELD for item in items[:2])
    ages = [timezone.now() - item.created_at for item in items]
    assert ages[0] < timedelta(hours=1)  # minutes
    assert timedelta(hours=1) < ages[2] < timedelta(hours=24)  # hours: the urgent report
    assert items[2].is_urgent and items[2].post.state == PostState.HIDDEN
    assert ages[3] > timedelta(days=2)  # days: overdue
    assert [item.is_overdue for item in items] == [False, False, False, True]


def test_seed_demo_has_long_threads_over_two_pages_written_over_months_until_today():
    call_command("seed_demo", *FORUM_DEMO, verbosity=0)

    assert not Post.objects.filter(created_at__gt=timezone.now()).exists()
    assert Post.objects.filter(created_at__gt=timezone.now() - timedelta(days=1)).count() >= 3

    long_threads = Thread.objects.filter(post_count__gt=settings.FORUM_POSTS_PER_PAGE)
    assert long_threads.count() >= 2
    for thread in long_threads:
        dates = thread.posts.values_list("created_at", flat=True)
        assert max(dates) - min(dates) > timedelta(days=60)


def test_the_categories_list_names_who_may_read_each(staff_client, room):
    room.commissioners_may_read = room.policy_may_read = False
    room.registered_may_read = True
    room.save()

    listing = staff_client.get(reverse("admin:forum_category_changelist")).text

    assert '<td class="field-readers">Providers, registered non-members</td>' in listing


def test_the_threads_list_says_a_thread_is_pinned_or_locked_with_its_state(staff_client, room):
    thread = thread_with_posts(posts=2, category=room, title="Admin check")
    thread.is_pinned = thread.is_locked = True
    thread.save()

    listing = staff_client.get(reverse("admin:forum_thread_changelist")).text

    assert '<td class="field-state_pinned_locked">Visible, pinned, locked</td>' in listing
    assert '<td class="field-posts">2 posts<br>last ' in listing
