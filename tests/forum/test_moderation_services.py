"""Moderation operations (forum/moderation.py): what each does to posts, threads, members
and counters, and the audit entry each leaves."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from forum import access, tasks
from forum.models import (
    AppendOnlyError,
    Category,
    Follow,
    ModerationAction,
    ModerationActionKind,
    Notification,
    NotificationKind,
    Post,
    PostRevision,
    PostState,
    Suspension,
    Thread,
    ThreadState,
    content_hash,
)
from forum.moderation import actions, redaction, suspensions, threads
from forum.services import publishing
from tests import roles
from tests.forum.factories import (
    CategoryFactory,
    PostFactory,
    category_moderator,
    held_post,
    held_thread,
    member_of_type,
    thread_with_posts,
)

pytestmark = pytest.mark.django_db


def last_action() -> ModerationAction:
    return ModerationAction.objects.order_by("-id").first()


# --- Hide and restore ---------------------------------------------------------------------


def test_hiding_a_post_takes_it_out_of_the_counts_and_logs_who_why_and_its_hash(moderator):
    thread = thread_with_posts(posts=3)
    post = thread.posts.get(post_number=3)

    actions.post_hide(actor=moderator, post=post, reason="Off topic and personal")

    post.refresh_from_db()
    thread.refresh_from_db()
    thread.category.refresh_from_db()
    assert post.state == PostState.HIDDEN
    assert thread.post_count == 2
    assert thread.last_post_number == 2
    assert thread.category.post_count == 2
    entry = last_action()
    assert entry.action == ModerationActionKind.HIDE
    assert entry.actor == moderator
    assert entry.post_id == post.pk
    assert entry.thread_id == thread.pk
    assert entry.reason == "Off topic and personal"
    assert entry.hash_before == content_hash(post.body) == entry.hash_after
    assert entry.created_at is not None


def test_restoring_a_hidden_post_counts_it_again_and_is_logged(moderator):
    thread = thread_with_posts(posts=2)
    post = thread.posts.get(post_number=2)
    actions.post_hide(actor=moderator, post=post)

    actions.post_restore(actor=moderator, post=post, reason="Reviewed: fine")

    post.refresh_from_db()
    thread.refresh_from_db()
    assert post.state == PostState.VISIBLE
    assert thread.post_count == 2
    assert thread.category.__class__.objects.get(pk=thread.category_id).post_count == 2
    assert last_action().action == ModerationActionKind.RESTORE


def test_hiding_a_post_that_is_not_visible_is_refused(moderator):
    post = held_post()
    with pytest.raises(ValidationError):
        actions.post_hide(actor=moderator, post=post)


def test_a_member_cannot_hide_a_post():
    post = thread_with_posts(posts=1).posts.get()
    with pytest.raises(PermissionDenied):
        actions.post_hide(actor=member_of_type(), post=post)
    assert not ModerationAction.objects.exists()


def test_a_category_moderator_acts_in_their_category_only():
    mine = CategoryFactory(name="Inspection and quality")
    other = CategoryFactory(name="Commissioning and contracts")
    moderator = category_moderator(mine)
    in_mine = thread_with_posts(category=mine, posts=1).posts.get()
    in_other = thread_with_posts(category=other, posts=1).posts.get()

    actions.post_hide(actor=moderator, post=in_mine)
    with pytest.raises(PermissionDenied):
        actions.post_hide(actor=moderator, post=in_other)


def test_a_reason_longer_than_300_characters_is_refused(moderator):
    post = thread_with_posts(posts=1).posts.get()
    with pytest.raises(ValidationError, match="300 characters"):
        actions.post_hide(actor=moderator, post=post, reason="x" * 301)


# --- Held posts ---------------------------------------------------------------------------


def test_publishing_a_held_reply_makes_it_visible_counted_and_resolves_its_item(moderator):
    post = held_post()
    item = post.review_items.get()

    actions.publish_held_post(actor=moderator, post=post)

    post.refresh_from_db()
    item.refresh_from_db()
    assert post.state == PostState.VISIBLE
    assert post.thread.__class__.objects.get(pk=post.thread_id).post_count == 2
    assert item.resolution == "agree" and item.resolved_by == moderator
    assert last_action().action == ModerationActionKind.APPROVE


def test_publishing_a_held_opening_post_makes_its_thread_visible_and_listed(moderator):
    post = held_thread()
    category = post.thread.category

    actions.publish_held_post(actor=moderator, post=post)

    thread = Thread.objects.get(pk=post.thread_id)
    category.refresh_from_db()
    assert thread.state == ThreadState.VISIBLE
    assert category.thread_count == 1
    assert category.post_count == 1
    assert category.last_thread_id == thread.pk


def test_publishing_a_held_post_announces_it_after_the_commit_only(
    moderator, django_capture_on_commit_callbacks
):
    post = held_post()
    with (
        mock.patch.object(publishing, "post_announce", wraps=publishing.post_announce) as hook,
        # (counting the post for insight is announced on commit too: not this test's)
        mock.patch.object(publishing, "post_count_activity"),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        actions.publish_held_post(actor=moderator, post=post)
    hook.assert_called_once()
    assert hook.call_args.args[0].pk == post.pk
    assert len(callbacks) == 1  # enqueued on commit, not inside the transaction


def test_the_announcement_enqueues_the_notification_task_once_committed(
    moderator, django_capture_on_commit_callbacks
):
    post = held_post()
    with mock.patch.object(tasks.post_notify, "apply_async") as enqueue:
        with django_capture_on_commit_callbacks() as callbacks:
            actions.publish_held_post(actor=moderator, post=post)
        enqueue.assert_not_called()
        for callback in callbacks:
            callback()
    enqueue.assert_called_once_with((post.pk,), {})


def test_the_author_of_an_approved_post_is_notified_on_the_site(moderator):
    post = held_post()
    actions.publish_held_post(actor=moderator, post=post)
    notification = Notification.objects.get(recipient=post.author)
    assert notification.kind == NotificationKind.POST_APPROVED
    assert notification.post_id == post.pk


def test_rejecting_a_held_post_keeps_it_out_and_tells_its_author_alone(
    moderator, django_capture_on_commit_callbacks
):
    post = held_thread()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_reject(actor=moderator, post=post, reason="Names a young person")

    post.refresh_from_db()
    assert post.state == PostState.HIDDEN
    assert Thread.objects.get(pk=post.thread_id).state == ThreadState.HIDDEN
    assert post.thread.category.__class__.objects.get(pk=post.thread.category_id).thread_count == 0
    # No follower hears of it; its author is told why, once.
    assert [message.to for message in mail.outbox] == [[post.author.email]]
    assert "was not published" in mail.outbox[0].subject
    assert "Names a young person" in mail.outbox[0].body
    assert not Notification.objects.exists()
    assert last_action().action == ModerationActionKind.REJECT


def test_publishing_a_post_that_is_not_held_is_refused(moderator):
    post = thread_with_posts(posts=1).posts.get()
    with pytest.raises(ValidationError, match="not waiting"):
        actions.publish_held_post(actor=moderator, post=post)


# --- Edit and redact ----------------------------------------------------------------------


def test_a_moderator_edit_keeps_the_old_text_as_a_revision_and_shows_the_reason(moderator):
    post = thread_with_posts(posts=1).posts.get()
    old = post.body

    actions.post_moderator_edit(
        actor=moderator,
        post=post,
        body="Post 1: what worked for us.",
        reason="Removed a home's name",
    )

    post.refresh_from_db()
    assert post.edit_reason == "Removed a home's name"
    assert post.edited_by == moderator
    assert post.body_html.startswith("<p>Post 1: what worked for us.")
    assert PostRevision.objects.get(post=post).body == old
    entry = last_action()
    assert entry.action == ModerationActionKind.EDIT
    assert entry.hash_before == content_hash(old)
    assert entry.hash_after == content_hash("Post 1: what worked for us.")


def test_a_moderator_edit_needs_a_reason(moderator):
    post = thread_with_posts(posts=1).posts.get()
    with pytest.raises(ValidationError, match="reason"):
        actions.post_moderator_edit(actor=moderator, post=post, body="New text here", reason=" ")


def test_an_empty_edit_is_refused(moderator):
    post = thread_with_posts(posts=1).posts.get()
    with pytest.raises(ValidationError, match="Write something"):
        actions.post_moderator_edit(actor=moderator, post=post, body="  ", reason="Tidy")


SECRET = "Jayden Okafor"


def _post_with_history(moderator) -> Post:
    """A post whose earlier versions held the name; one earlier version did not."""
    post = PostFactory(
        thread=thread_with_posts(posts=1),
        body="We support a boy in our home and his school is doing well.",
    )
    PostRevision.objects.create(post=post, body="Original text without names at all.")
    actions.post_moderator_edit(
        actor=moderator,
        post=post,
        body=f"We support {SECRET}, aged 14, and his school is doing well.",
        reason="Formatting",
    )
    post.refresh_from_db()
    return post


def test_redaction_replaces_the_text_and_purges_revisions_that_held_the_removed_words(moderator):
    post = _post_with_history(moderator)
    actions.post_moderator_edit(
        actor=moderator,
        post=post,
        body=f"We support {SECRET}, aged 14, and his school is doing very well.",
        reason="Wording",
    )
    post.refresh_from_db()

    result = redaction.post_redact(
        actor=moderator,
        post=post,
        body="We support a young person and their school is doing very well.",
        reason="Could identify a child",
    )

    post.refresh_from_db()
    assert "Jayden" not in post.body and "Jayden" not in post.body_html
    remaining = list(PostRevision.objects.filter(post=post).values_list("body", flat=True))
    assert remaining, "a revision without the removed words is kept"
    assert all("Jayden" not in body and "Okafor" not in body for body in remaining)
    assert result.revisions_purged == 2
    assert post.edit_reason == "Could identify a child"


def test_a_moderator_cannot_redact_their_own_post(moderator):
    post = PostFactory(thread=thread_with_posts(posts=1), author=moderator, body="First words.")
    actions.post_moderator_edit(
        actor=moderator, post=post, body="Words a member reported.", reason="Typo"
    )
    post.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        redaction.post_redact(
            actor=moderator,
            post=post,
            body="Harmless words.",
            reason="Tidying",
            purge_all_revisions=True,
        )

    assert refused.value.code == "own"
    post.refresh_from_db()
    assert post.body == "Words a member reported."
    assert PostRevision.objects.filter(post=post).exists()


def test_redaction_can_purge_every_earlier_revision(moderator):
    post = _post_with_history(moderator)
    redaction.post_redact(
        actor=moderator,
        post=post,
        body="We support a young person and their school is doing well.",
        reason="Could identify a child",
        purge_all_revisions=True,
    )
    assert not PostRevision.objects.filter(post=post).exists()


def test_after_redaction_the_removed_text_is_in_no_revision_no_log_entry_and_no_post(moderator):
    post = _post_with_history(moderator)
    redaction.post_redact(
        actor=moderator,
        post=post,
        body="We support a young person and their school is doing well.",
        reason="Could identify a child",
    )
    assert not PostRevision.objects.filter(body__icontains="Okafor").exists()
    assert not Post.objects.filter(body__icontains="Okafor").exists()
    assert not Post.objects.filter(body_html__icontains="Okafor").exists()
    for entry in ModerationAction.objects.all():
        flat = " ".join(
            [
                entry.reason,
                entry.target_label,
                entry.hash_before,
                entry.hash_after,
                str(entry.details),
            ]
        )
        assert "Okafor" not in flat and "Jayden" not in flat
    entry = ModerationAction.objects.get(action=ModerationActionKind.REDACT)
    assert entry.hash_before == content_hash(
        f"We support {SECRET}, aged 14, and his school is doing well."
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors are PostgreSQL's")
def test_redaction_rebuilds_the_search_vector_without_the_removed_words(moderator):
    post = _post_with_history(moderator)
    publishing.post_search_index(post)
    assert Post.objects.filter(pk=post.pk, search_vector="okafor").exists()

    redaction.post_redact(
        actor=moderator,
        post=post,
        body="We support a young person and their school is doing well.",
        reason="Could identify a child",
    )

    assert not Post.objects.filter(pk=post.pk, search_vector="okafor").exists()
    assert Post.objects.filter(pk=post.pk, search_vector="school").exists()


def test_redaction_that_removes_nothing_asks_for_an_edit_instead(moderator):
    post = thread_with_posts(posts=1).posts.get()
    with pytest.raises(ValidationError, match="edit the post instead"):
        redaction.post_redact(
            actor=moderator, post=post, body=post.body + " Thank you.", reason="Nothing"
        )


def test_redaction_points_to_other_posts_that_still_quote_the_removed_words(moderator):
    post = _post_with_history(moderator)
    quoting = PostFactory(thread=post.thread, body=f"> We support {SECRET}\n\nSame here.")

    result = redaction.post_redact(
        actor=moderator,
        post=post,
        body="We support a young person and their school is doing well.",
        reason="Could identify a child",
    )

    assert [p.pk for p in result.posts_still_holding] == [quoting.pk]


def test_redaction_does_not_point_to_posts_sharing_only_common_words_with_what_went(
    moderator,
):
    post = _post_with_history(moderator)  # "his" goes with the name
    PostFactory(thread=post.thread, body="His key worker and ours met at the school.")

    result = redaction.post_redact(
        actor=moderator,
        post=post,
        body="We support a young person and their school is doing well.",
        reason="Could identify a child",
    )

    assert result.posts_still_holding == []


def test_removed_words_are_the_words_taken_out_that_do_not_stay_elsewhere():
    before = "Sam from Oakwood House, aged 14, likes Oakwood football."
    after = "A young person likes Oakwood football."
    assert redaction.removed_words(before, after) == {"sam", "from", "house", "aged", "14"}


# --- Threads ------------------------------------------------------------------------------


def test_locking_and_unlocking_a_thread_are_logged(moderator):
    thread = thread_with_posts(posts=1)
    threads.thread_lock(actor=moderator, thread=thread, reason="Heated")
    thread.refresh_from_db()
    assert thread.is_locked
    threads.thread_unlock(actor=moderator, thread=thread)
    thread.refresh_from_db()
    assert not thread.is_locked
    logged = list(
        ModerationAction.objects.filter(thread=thread)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert logged == [ModerationActionKind.LOCK, ModerationActionKind.UNLOCK]


def test_pinning_and_unpinning_a_thread_are_logged(moderator):
    thread = thread_with_posts(posts=1)
    threads.thread_pin(actor=moderator, thread=thread)
    assert Thread.objects.get(pk=thread.pk).is_pinned
    threads.thread_unpin(actor=moderator, thread=thread)
    assert not Thread.objects.get(pk=thread.pk).is_pinned
    assert (
        ModerationAction.objects.filter(
            action__in=[ModerationActionKind.PIN, ModerationActionKind.UNPIN]
        ).count()
        == 2
    )


def test_pinning_a_pinned_thread_changes_and_logs_nothing(moderator):
    thread = thread_with_posts(posts=1, is_pinned=True)
    threads.thread_pin(actor=moderator, thread=thread)
    assert not ModerationAction.objects.exists()


def test_moving_a_thread_recounts_both_categories_and_logs_from_and_to(moderator):
    source = CategoryFactory(name="Workforce and training")
    target = CategoryFactory(name="Inspection and quality")
    thread = thread_with_posts(category=source, posts=3)
    thread_with_posts(category=source, posts=2)

    threads.thread_move(actor=moderator, thread=thread, category=target, reason="Better fit")

    source.refresh_from_db()
    target.refresh_from_db()
    assert Thread.objects.get(pk=thread.pk).category == target
    assert (source.thread_count, source.post_count) == (1, 2)
    assert (target.thread_count, target.post_count) == (1, 3)
    assert target.last_thread_id == thread.pk
    entry = last_action()
    assert entry.action == ModerationActionKind.MOVE
    assert entry.details["from_category"] == source.pk
    assert entry.details["to_category"] == target.pk


def test_a_category_moderator_cannot_move_a_thread_into_a_category_they_do_not_moderate():
    mine = CategoryFactory(name="Leaving care and Staying Close")
    other = CategoryFactory(name="Commissioners only")
    moderator = category_moderator(mine)
    thread = thread_with_posts(category=mine, posts=1)
    with pytest.raises(PermissionDenied):
        threads.thread_move(actor=moderator, thread=thread, category=other)


def test_merging_renumbers_posts_after_the_targets_and_recomputes_everything(moderator):
    first = CategoryFactory(name="Workforce and training")
    second = CategoryFactory(name="Inspection and quality")
    target = thread_with_posts(category=first, posts=3, title="Night staffing")
    merged = thread_with_posts(category=second, posts=2, title="Waking nights")
    Follow.objects.create(user=merged.author, thread=merged)
    last_of_merged = merged.posts.get(post_number=2)

    threads.thread_merge(actor=moderator, thread=merged, into=target, reason="Same subject")

    target.refresh_from_db()
    merged.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    numbers = list(target.posts.order_by("post_number").values_list("post_number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]
    assert Post.objects.get(pk=last_of_merged.pk).post_number == 5
    assert target.post_count == 5
    assert target.post_number_counter == 5
    assert target.last_post_number == 5
    assert merged.merged_into == target
    assert merged.post_count == 0
    assert (first.thread_count, first.post_count) == (1, 5)
    assert (second.thread_count, second.post_count) == (0, 0)
    assert Follow.objects.filter(user=merged.author, thread=target).exists()
    entry = last_action()
    assert entry.action == ModerationActionKind.MERGE
    assert entry.details["into_thread"] == target.pk
    assert entry.details["number_offset"] == 3


def test_merged_thread_is_listed_no_more(moderator):
    target = thread_with_posts(posts=1)
    merged = thread_with_posts(category=target.category, posts=1)
    threads.thread_merge(actor=moderator, thread=merged, into=target)
    assert list(Thread.objects.listed()) == [target]


def test_a_thread_cannot_be_merged_into_itself_or_twice(moderator):
    target = thread_with_posts(posts=1)
    merged = thread_with_posts(posts=1)
    with pytest.raises(ValidationError):
        threads.thread_merge(actor=moderator, thread=target, into=target)
    threads.thread_merge(actor=moderator, thread=merged, into=target)
    with pytest.raises(ValidationError, match="already merged"):
        threads.thread_merge(actor=moderator, thread=merged, into=target)


# --- Suspensions --------------------------------------------------------------------------


def test_a_suspension_stops_posting_until_it_ends(moderator):
    writer = member_of_type()
    until = timezone.now() + timedelta(days=7)

    suspension = suspensions.member_suspend(
        actor=moderator, member=writer, until=until, reason="Repeated personal attacks"
    )

    assert Suspension.objects.in_force().filter(member=writer).exists()
    assert access.is_suspended_from_forum(writer)
    assert (
        not Suspension.objects.in_force(now=until + timedelta(seconds=1))
        .filter(member=writer)
        .exists()
    )
    entry = last_action()
    assert entry.action == ModerationActionKind.SUSPEND
    assert entry.member_id == writer.pk
    assert entry.details["suspension"] == suspension.pk


def test_lifting_a_suspension_ends_it_now_and_is_logged(moderator):
    writer = member_of_type()
    suspension = suspensions.member_suspend(
        actor=moderator, member=writer, until=None, reason="Spam"
    )

    suspensions.suspension_lift(actor=moderator, suspension=suspension, reason="Apologised")

    assert not Suspension.objects.in_force().filter(member=writer).exists()
    assert last_action().action == ModerationActionKind.LIFT_SUSPENSION


def test_a_suspension_needs_a_reason_and_a_future_end(moderator):
    writer = member_of_type()
    with pytest.raises(ValidationError, match="reason"):
        suspensions.member_suspend(actor=moderator, member=writer, until=None, reason="")
    with pytest.raises(ValidationError, match="future"):
        suspensions.member_suspend(
            actor=moderator, member=writer, until=timezone.now() - timedelta(hours=1), reason="Spam"
        )


def test_a_member_already_suspended_cannot_be_suspended_again(moderator):
    writer = member_of_type()
    suspensions.member_suspend(actor=moderator, member=writer, until=None, reason="Spam")
    with pytest.raises(ValidationError, match="already suspended"):
        suspensions.member_suspend(actor=moderator, member=writer, until=None, reason="More spam")


def test_a_category_moderator_cannot_suspend_members():
    moderator = category_moderator(CategoryFactory())
    with pytest.raises(PermissionDenied):
        suspensions.member_suspend(
            actor=moderator, member=member_of_type(), until=None, reason="Spam"
        )


def _another_moderator(moderator):
    user = member_of_type()
    user.groups.add(moderator.groups.get())
    return user


@pytest.mark.parametrize("who", ["staff", "moderator", "category moderator"])
def test_a_moderator_cannot_suspend_staff_or_another_moderator(moderator, who):
    target = {
        "staff": lambda: roles.staff(),
        "moderator": lambda: _another_moderator(moderator),
        "category moderator": lambda: category_moderator(CategoryFactory()),
    }[who]()

    with pytest.raises(ValidationError, match="suspended by the network's staff"):
        suspensions.member_suspend(actor=moderator, member=target, until=None, reason="Spam")

    assert not Suspension.objects.filter(member=target).exists()


def test_staff_may_suspend_a_moderator(moderator):
    staff = roles.staff()

    suspensions.member_suspend(actor=staff, member=moderator, until=None, reason="Misuse")

    assert Suspension.objects.in_force().filter(member=moderator).exists()


def test_a_suspended_moderator_cannot_lift_their_own_suspension(moderator):
    suspension = suspensions.member_suspend(
        actor=roles.staff(), member=moderator, until=None, reason="Misuse"
    )

    # Suspended, they moderate nothing, their own suspension least of all.
    with pytest.raises(PermissionDenied):
        suspensions.suspension_lift(actor=moderator, suspension=suspension)

    assert Suspension.objects.in_force().filter(member=moderator).exists()


def test_a_moderator_cannot_lift_another_moderator_s_suspension(moderator):
    colleague = _another_moderator(moderator)
    suspension = suspensions.member_suspend(
        actor=roles.staff(), member=colleague, until=None, reason="Misuse"
    )

    with pytest.raises(ValidationError) as refused:
        suspensions.suspension_lift(actor=moderator, suspension=suspension)

    assert refused.value.code == "peer"
    assert Suspension.objects.in_force().filter(member=colleague).exists()


def test_staff_lift_a_moderator_s_suspension(moderator):
    staff = roles.staff()
    suspension = suspensions.member_suspend(
        actor=staff, member=moderator, until=None, reason="Misuse"
    )

    suspensions.suspension_lift(actor=staff, suspension=suspension, reason="Reviewed")

    assert not Suspension.objects.in_force().filter(member=moderator).exists()


# --- The audit log ------------------------------------------------------------------------


def test_the_audit_log_refuses_changes_and_deletions(moderator):
    post = thread_with_posts(posts=1).posts.get()
    actions.post_hide(actor=moderator, post=post)
    entry = last_action()
    entry.reason = "Rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ModerationAction.objects.all().update(reason="x")
    with pytest.raises(AppendOnlyError):
        ModerationAction.objects.all().delete()


def test_a_category_recount_after_actions_matches_a_full_recount(moderator):
    category = CategoryFactory()
    made = [thread_with_posts(category=category, posts=n) for n in (1, 2, 3)]
    actions.post_hide(actor=moderator, post=made[2].posts.get(post_number=3))
    threads.thread_merge(actor=moderator, thread=made[0], into=made[1])
    category.refresh_from_db()
    kept = (category.thread_count, category.post_count, category.last_thread_id)
    publishing.category_recount(category)
    category.refresh_from_db()
    assert kept == (category.thread_count, category.post_count, category.last_thread_id)
    assert kept[:2] == (2, 5)
    assert Category.objects.get(pk=category.pk).post_count == 5


def test_restoring_a_post_rejected_while_held_publishes_it_for_the_first_time(
    moderator, django_capture_on_commit_callbacks
):
    post = held_thread()
    actions.post_reject(actor=moderator, post=post)
    with mock.patch.object(publishing, "post_announce") as hook:
        actions.post_restore(actor=moderator, post=post, reason="Second look: fine")

    post.refresh_from_db()
    assert post.state == PostState.VISIBLE
    assert Thread.objects.get(pk=post.thread_id).state == ThreadState.VISIBLE
    hook.assert_called_once()
    entry = last_action()
    assert entry.action == ModerationActionKind.APPROVE
    assert entry.reason == "Second look: fine"


def test_restoring_a_post_hidden_after_publication_sends_no_notifications_again(moderator):
    post = thread_with_posts(posts=2).posts.get(post_number=2)
    actions.post_hide(actor=moderator, post=post)
    with mock.patch.object(publishing, "post_announce") as hook:
        actions.post_restore(actor=moderator, post=post)
    hook.assert_not_called()
    assert last_action().action == ModerationActionKind.RESTORE


def test_an_old_post_link_of_a_merged_thread_leads_to_the_thread_it_became_part_of(
    moderator, client
):
    first = thread_with_posts(posts=2)
    second = thread_with_posts(posts=3)
    threads.thread_merge(actor=moderator, thread=first, into=second)
    client.force_login(moderator)
    response = client.get(f"/forum/t/{first.pk}/p/2/")
    assert response.status_code == 302
    assert response.url == f"{second.get_absolute_url()}?page=1#post-5"


def test_hiding_a_thread_takes_it_out_of_the_listing_and_the_counts(moderator):
    category = CategoryFactory()
    thread = thread_with_posts(category=category, posts=2)
    thread_with_posts(category=category, posts=1)

    threads.thread_hide(actor=moderator, thread=thread, reason="Spam")

    category.refresh_from_db()
    assert Thread.objects.get(pk=thread.pk).state == ThreadState.HIDDEN
    assert (category.thread_count, category.post_count) == (1, 1)
    assert last_action().action == ModerationActionKind.HIDE_THREAD


def test_restoring_a_hidden_thread_lists_it_again(moderator):
    category = CategoryFactory()
    thread = thread_with_posts(category=category, posts=2)
    threads.thread_hide(actor=moderator, thread=thread)

    threads.thread_restore(actor=moderator, thread=thread)

    category.refresh_from_db()
    assert (category.thread_count, category.post_count) == (1, 2)
    assert last_action().action == ModerationActionKind.RESTORE_THREAD


def test_a_moderator_cannot_bring_back_their_own_hidden_thread(moderator):
    other = category_moderator(CategoryFactory())
    thread = thread_with_posts(category=other.moderated_forum_categories.get(), author=moderator)
    threads.thread_hide(actor=other, thread=thread, reason="Off topic for this room")

    with pytest.raises(ValidationError, match="Another moderator decides"):
        threads.thread_restore(actor=moderator, thread=thread)

    assert Thread.objects.get(pk=thread.pk).state == ThreadState.HIDDEN


def test_a_thread_whose_opening_post_was_refused_is_not_restored_by_the_thread_button(moderator):
    post = held_thread()
    actions.post_reject(actor=moderator, post=post)
    with pytest.raises(ValidationError, match="opening post"):
        threads.thread_restore(actor=moderator, thread=post.thread)


def test_redacting_an_opening_post_can_take_a_name_out_of_the_thread_title(moderator):
    thread = thread_with_posts(posts=2, title="Supporting Tilly Marsh after a move")
    opening = thread.posts.get(post_number=1)
    actions.post_hide(actor=moderator, post=thread.posts.get(post_number=2))

    redaction.post_redact(
        actor=moderator,
        post=opening,
        body=opening.body,
        title="Supporting a young person after a move",
        reason="Could identify a child",
    )

    thread.refresh_from_db()
    assert thread.title == "Supporting a young person after a move"
    assert "tilly" not in thread.slug
    for entry in ModerationAction.objects.all():
        assert "Tilly" not in f"{entry.target_label} {entry.reason} {entry.details}"
    entry = last_action()
    assert entry.details["title_hash_before"] == content_hash("Supporting Tilly Marsh after a move")


def test_a_title_is_only_redacted_through_the_opening_post(moderator):
    thread = thread_with_posts(posts=2, title="Supporting Tilly Marsh after a move")
    reply = thread.posts.get(post_number=2)
    redaction.post_redact(
        actor=moderator,
        post=reply,
        body="Post 2: what worked.",
        title="Something else",
        reason="Tidy",
    )
    assert Thread.objects.get(pk=thread.pk).title == "Supporting Tilly Marsh after a move"


# --- An opening post hidden takes its thread's title with it -------------------------------


def test_an_urgent_report_on_an_opening_post_takes_its_thread_out_of_the_listing(
    moderator,
):
    from forum.services import reports

    thread = thread_with_posts(posts=3)
    opening = thread.posts.get(post_number=1)
    reporter = member_of_type(name="Reporter")

    reports.report_create(reporter=reporter, post=opening, reason="child")

    thread.refresh_from_db()
    assert thread.state == ThreadState.HIDDEN
    assert not Thread.objects.listed().filter(pk=thread.pk).exists()
    thread.category.refresh_from_db()
    assert thread.category.thread_count == 0


def test_hiding_a_reply_leaves_its_thread_listed(moderator):
    thread = thread_with_posts(posts=3)

    actions.post_hide(actor=moderator, post=thread.posts.get(post_number=2), reason="Off topic")

    thread.refresh_from_db()
    assert thread.state == ThreadState.VISIBLE


def test_restoring_an_opening_post_lists_the_thread_hidden_with_it_again(moderator):
    thread = thread_with_posts(posts=3)
    opening = thread.posts.get(post_number=1)
    actions.post_hide(actor=moderator, post=opening, reason="Check the names first")

    actions.post_restore(actor=_another_moderator(moderator), post=opening, reason="Fine")

    thread.refresh_from_db()
    assert thread.state == ThreadState.VISIBLE
    assert Thread.objects.listed().filter(pk=thread.pk).exists()


def test_a_thread_a_moderator_hid_by_itself_stays_hidden_when_its_opening_post_returns(
    moderator,
):
    thread = thread_with_posts(posts=3)
    opening = thread.posts.get(post_number=1)
    threads.thread_hide(actor=moderator, thread=thread, reason="Spam thread")
    actions.post_hide(actor=moderator, post=opening, reason="Spam")

    actions.post_restore(actor=_another_moderator(moderator), post=opening, reason="Not spam")

    thread.refresh_from_db()
    assert thread.state == ThreadState.HIDDEN
