import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forum import access
from forum.models import (
    Category,
    CategoryReadMark,
    Follow,
    ModerationAction,
    Post,
    PostRevision,
    PostState,
    Reaction,
    Report,
    ReportReason,
    Resolution,
    ReviewItem,
    ReviewKind,
    Suspension,
    Thread,
    ThreadReadState,
    ThreadState,
)
from forum.moderation import actions
from forum.services import posting, publishing, reactions, reading, reports
from tests.forum.factories import member_of_type, thread_with_posts

pytestmark = pytest.mark.django_db


def start(author, category, body="How do you plan rotas over the holidays?", **kwargs):
    return posting.thread_create(
        author=author,
        category=category,
        title=kwargs.pop("title", "Holiday rotas"),
        body=body,
        confirmed_child_safety=True,
        **kwargs,
    )


def reply(author, thread, body, **kwargs):
    return posting.post_reply(
        author=author, thread=thread, body=body, confirmed_child_safety=True, **kwargs
    )


def test_starting_a_thread_sets_the_counters_of_thread_and_category(room, member):
    post = start(member, room)
    thread = post.thread
    thread.refresh_from_db()
    room.refresh_from_db()
    assert (post.post_number, thread.post_count, thread.last_post_number) == (1, 1, 1)
    assert thread.last_post_author == member
    assert (room.thread_count, room.post_count, room.last_thread) == (1, 1, thread)


def test_replies_are_numbered_in_order_and_move_last_post(room, member, second_member):
    thread = start(member, room).thread
    second = reply(author=second_member, thread=thread, body="We use a rota app.")
    third = reply(author=member, thread=thread, body="Which one?")
    thread.refresh_from_db()
    room.refresh_from_db()
    assert [second.post_number, third.post_number] == [2, 3]
    assert (thread.post_count, thread.reply_count, thread.last_post_author) == (3, 2, member)
    assert room.post_count == 3


def test_held_reply_is_numbered_but_not_counted(settings, room, member, second_member):
    thread = start(member, room).thread
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 5
    held = reply(author=second_member, thread=thread, body="My first post.")
    thread.refresh_from_db()
    assert held.state == PostState.HELD
    assert held.post_number == 2
    assert (thread.post_count, thread.last_post_number) == (1, 1)


def test_approving_a_held_opening_post_makes_the_thread_visible(settings, room, member, moderator):
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 3
    post = start(member, room)
    assert post.thread.state == ThreadState.HELD
    room.refresh_from_db()
    assert room.thread_count == 0
    publishing.post_publish(post=post, actor=moderator)
    post.thread.refresh_from_db()
    room.refresh_from_db()
    assert post.thread.state == ThreadState.VISIBLE
    assert (room.thread_count, room.post_count) == (1, 1)


def test_double_submission_posts_once(room, member):
    key = uuid.uuid4()
    thread = start(member, room).thread
    first = reply(author=member, thread=thread, body="Thanks!", submission_key=key)
    with pytest.raises(posting.DuplicateSubmission) as duplicate:
        reply(author=member, thread=thread, body="Thanks!", submission_key=key)
    assert duplicate.value.post == first
    assert Post.objects.filter(thread=thread).count() == 2


def test_posting_is_rate_limited_per_member(settings, room, member):
    settings.FORUM_POST_RATE_LIMIT = 2
    thread = start(member, room).thread
    reply(author=member, thread=thread, body="One more thing.")
    with pytest.raises(ValidationError) as error:
        reply(author=member, thread=thread, body="And another.")
    assert "wait a few minutes" in error.value.messages[0]


@pytest.mark.parametrize(
    ("body", "message"), [("   ", "Write something"), ("x" * 20001, "at most 20,000")]
)
def test_empty_or_over_long_posts_are_refused(room, member, body, message):
    thread = start(member, room).thread
    with pytest.raises(ValidationError) as error:
        reply(author=member, thread=thread, body=body)
    assert message in error.value.messages[0]


def test_a_post_of_characters_that_show_nothing_is_refused_as_empty(room, member):
    thread = start(member, room).thread

    # Zero-width spaces and joiners, a byte-order mark, a blank Braille pattern.
    with pytest.raises(ValidationError, match="Write something"):
        reply(author=member, thread=thread, body="\u200b\u200d\ufeff\u2800\n\u2060")


def test_a_title_of_characters_that_show_nothing_is_refused(room, member):
    with pytest.raises(ValidationError, match="title of at least 5"):
        start(member, room, title="\u200b\u200b\u200b\u200b\u200b\u3164")
    assert not Thread.objects.exists()


def test_nobody_but_moderators_replies_to_a_locked_thread(room, member, second_member, moderator):
    thread = start(member, room).thread
    thread.is_locked = True
    thread.save()
    with pytest.raises(ValidationError, match="locked"):
        reply(author=second_member, thread=thread, body="Late reply.")
    assert reply(author=moderator, thread=thread, body="Closing note.").post_number


def test_first_post_asks_the_member_to_confirm_it_identifies_no_child(room, member):
    with pytest.raises(ValidationError, match="confirm"):
        posting.thread_create(author=member, category=room, title="Hello all", body="Hi.")
    start(member, room)
    assert not posting.needs_child_safety_confirmation(member)
    posting.post_reply(author=member, thread=Post.objects.get().thread, body="Not asked now.")


def test_suspended_member_cannot_post(room, member, moderator):
    Suspension.objects.create(member=member, reason="Cooling off", created_by=moderator)
    access.forget_forum(member)
    with pytest.raises(ValidationError, match="suspended"):
        start(member, room)


def test_member_without_posting_rights_is_refused(commissioners_room, provider_member):
    with pytest.raises(PermissionDenied):
        start(provider_member, commissioners_room)


def test_editing_keeps_the_earlier_text_as_a_revision(room, member):
    post = start(member, room, body="Our rota starts on Mondays.")
    posting.post_edit(editor=member, post=post, body="Our rota starts on Sundays.")
    post.refresh_from_db()
    assert post.body == "Our rota starts on Sundays."
    assert "Sundays" in post.body_html
    assert post.edited_at is not None
    assert list(PostRevision.objects.values_list("body", flat=True)) == [
        "Our rota starts on Mondays."
    ]


def test_editing_after_the_window_is_refused(settings, room, member):
    post = start(member, room)
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=2))
    post.refresh_from_db()
    with pytest.raises(PermissionDenied):
        posting.post_edit(editor=member, post=post, body="Too late.")


def test_moderator_edit_needs_a_reason_shown_and_logged(room, member, moderator):
    post = start(member, room, body="Original words.")
    with pytest.raises(ValidationError, match="reason"):
        actions.post_moderator_edit(actor=moderator, post=post, body="Fixed.", reason="")
    actions.post_moderator_edit(actor=moderator, post=post, body="Fixed.", reason="Removed a name")
    post.refresh_from_db()
    entry = ModerationAction.objects.get(action="edit")
    assert post.edit_reason == "Removed a name"
    assert entry.hash_before != entry.hash_after
    assert "Original" not in str(entry.details) + entry.reason + entry.target_label


def test_the_author_edit_is_for_authors_only(room, member, moderator):
    post = start(member, room, body="Original words.")
    with pytest.raises(PermissionDenied):
        posting.post_edit(editor=moderator, post=post, body="Fixed without a reason.")


def test_author_edit_that_matches_the_watch_list_goes_back_to_review(room, member):
    post = start(member, room, body="Nothing identifying here.")
    posting.post_edit(editor=member, post=post, body="Call me on 07700 900123.")
    post.refresh_from_db()
    room.refresh_from_db()
    assert post.state == PostState.HELD
    assert ReviewItem.objects.get(post=post).hold_reason == "watch_list"
    assert room.post_count == 0


def test_an_edit_that_goes_back_to_review_keeps_the_reports_waiting_on_the_post(
    room, member, second_member
):
    post = start(member, room, body="Nothing identifying here.")
    report = reports.report_create(reporter=second_member, post=post, reason=ReportReason.ABUSIVE)

    posting.post_edit(editor=member, post=post, body="Call me on 07700 900123.")

    item = ReviewItem.objects.get(post=post, resolved_at=None)
    assert item.kind == ReviewKind.HELD
    assert list(item.reports.all()) == [report]


def test_a_reported_post_sent_back_to_review_and_then_deleted_stays_in_the_queue(
    room, member, second_member
):
    post = start(member, room, body="Nothing identifying here.")
    reports.report_create(reporter=second_member, post=post, reason=ReportReason.ABUSIVE)
    posting.post_edit(editor=member, post=post, body="Call me on 07700 900123.")
    post.refresh_from_db()

    posting.post_remove(user=member, post=post)

    assert ReviewItem.objects.filter(post=post, resolved_at=None).exists()


def test_deleting_leaves_removed_in_the_thread(room, member, second_member):
    thread = start(member, room).thread
    wrong = reply(author=second_member, thread=thread, body="Oops, wrong thread.")
    posting.post_remove(user=second_member, post=wrong)
    wrong.refresh_from_db()
    thread.refresh_from_db()
    assert wrong.state == PostState.REMOVED
    assert Post.objects.filter(thread=thread).count() == 2
    assert (thread.post_count, thread.last_post_number) == (1, 1)


def test_nobody_deletes_someone_elses_post(room, member, second_member):
    post = start(member, room)
    with pytest.raises(PermissionDenied):
        posting.post_remove(user=second_member, post=post)


def test_read_pointer_only_moves_forward(room, member, second_member):
    thread = thread_with_posts(category=room, author=member, posts=5)
    reading.thread_mark_read(user=second_member, thread=thread, up_to=4)
    reading.thread_mark_read(user=second_member, thread=thread, up_to=2)
    state = ThreadReadState.objects.get(user=second_member, thread=thread)
    assert state.last_read_post_number == 4


def test_rereading_a_page_leaves_the_read_pointer_untouched(room, member, second_member):
    thread = thread_with_posts(category=room, author=member, posts=5)
    reading.thread_mark_read(user=second_member, thread=thread, up_to=4)
    state = ThreadReadState.objects.get(user=second_member, thread=thread)
    reading.thread_mark_read(user=second_member, thread=thread, up_to=4)
    reading.thread_mark_read(user=second_member, thread=thread, up_to=3)
    assert ThreadReadState.objects.get(pk=state.pk).updated_at == state.updated_at
    reading.thread_mark_read(user=second_member, thread=thread, up_to=5)
    moved = ThreadReadState.objects.get(pk=state.pk)
    assert moved.last_read_post_number == 5 and moved.updated_at > state.updated_at


def test_marking_a_category_read_is_one_row_per_member_and_category(room, member):
    reading.category_mark_read(user=member, category=room)
    reading.category_mark_read(user=member, category=room)
    assert CategoryReadMark.objects.filter(user=member, category=room).count() == 1


def test_posting_follows_the_thread_and_unfollowing_mutes_it(room, member):
    thread = start(member, room).thread
    assert Follow.objects.filter(user=member, thread=thread, is_muted=False).exists()
    reading.thread_unfollow(user=member, thread=thread)
    reply(author=member, thread=thread, body="Still here.")
    assert Follow.objects.get(user=member, thread=thread).is_muted


def test_helpful_toggles_and_counts(room, member, second_member):
    post = start(member, room)
    assert reactions.reaction_toggle(user=second_member, post=post) is True
    post.refresh_from_db()
    assert post.helpful_count == 1
    assert reactions.reaction_toggle(user=second_member, post=post) is False
    post.refresh_from_db()
    assert (post.helpful_count, Reaction.objects.count()) == (0, 0)


def test_members_do_not_mark_their_own_post_helpful(room, member):
    with pytest.raises(PermissionDenied):
        reactions.reaction_toggle(user=member, post=start(member, room))


def test_bookmark_toggles(room, member, second_member):
    post = start(member, room)
    assert reactions.bookmark_toggle(user=second_member, post=post) is True
    assert reactions.bookmark_toggle(user=second_member, post=post) is False


def test_report_identifying_a_child_hides_the_post_at_once(
    room, member, second_member, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    post = start(member, room)
    with django_capture_on_commit_callbacks(execute=True):
        reports.report_create(
            reporter=second_member, post=post, reason=ReportReason.IDENTIFIES_CHILD
        )
    post.refresh_from_db()
    item = ReviewItem.objects.get(post=post)
    entry = ModerationAction.objects.get(action="auto_hide")
    assert post.state == PostState.HIDDEN
    assert item.is_urgent and item.report_count == 1
    assert entry.actor is None and entry.post == post
    assert [m.to for m in mailoutbox] == [[moderator.email]]
    assert "Holiday rotas" in mailoutbox[0].subject + mailoutbox[0].body
    assert "How do you plan" not in mailoutbox[0].body


def test_safeguarding_concern_also_hides_at_once(room, member, second_member):
    post = start(member, room)
    reports.report_create(reporter=second_member, post=post, reason=ReportReason.SAFEGUARDING)
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN


def rejected_urgent_reports(reporter, count: int, *, days_ago: int = 1) -> None:
    """`count` urgent reports by `reporter` that moderators resolved as "disagree"."""
    when = timezone.now() - timedelta(days=days_ago)
    category = Category.objects.first()
    for _ in range(count):
        post = thread_with_posts(posts=1, category=category, author=reporter).posts.get()
        item = ReviewItem.objects.create(
            post=post,
            kind="reported",
            is_urgent=True,
            resolution=Resolution.DISAGREE,
            resolved_at=when,
            created_at=when,
        )
        Report.objects.create(
            post=post,
            reporter=reporter,
            reason=ReportReason.IDENTIFIES_CHILD,
            review_item=item,
            created_at=when,
        )


def test_urgent_reports_of_a_member_often_rejected_reach_the_queue_but_hide_nothing(
    settings, room, member, second_member
):
    settings.FORUM_URGENT_REPORTS_REJECTED_LIMIT = 3
    rejected_urgent_reports(second_member, 3)
    post = start(member, room)
    reports.report_create(reporter=second_member, post=post, reason=ReportReason.IDENTIFIES_CHILD)
    post.refresh_from_db()
    item = ReviewItem.objects.get(post=post, resolved_at__isnull=True)
    assert post.state == PostState.VISIBLE
    assert item.is_urgent


def test_the_moderators_alert_says_an_urgently_reported_post_left_up_is_still_up(
    settings, room, member, second_member, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    settings.FORUM_URGENT_REPORTS_REJECTED_LIMIT = 3
    rejected_urgent_reports(second_member, 3)
    post = start(member, room)

    with django_capture_on_commit_callbacks(execute=True):
        reports.report_create(
            reporter=second_member, post=post, reason=ReportReason.IDENTIFIES_CHILD
        )

    [alert] = mailoutbox
    for text in (alert.body, alert.alternatives[0][0]):
        assert "still visible to members" in text
        assert "hidden from members" not in text


def test_moderators_are_alerted_once_however_many_members_report_a_post_urgently(
    room, member, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    post = start(member, room)

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            reports.report_create(
                reporter=member_of_type(), post=post, reason=ReportReason.IDENTIFIES_CHILD
            )

    alerts = [m for m in mailoutbox if m.to == [moderator.email]]
    assert len(alerts) == 1


def test_urgent_reports_still_hide_after_fewer_rejections_than_the_limit(
    settings, room, member, second_member
):
    settings.FORUM_URGENT_REPORTS_REJECTED_LIMIT = 3
    rejected_urgent_reports(second_member, 2)
    post = start(member, room)
    reports.report_create(reporter=second_member, post=post, reason=ReportReason.IDENTIFIES_CHILD)
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN


def test_rejections_older_than_the_window_do_not_count(settings, room, member, second_member):
    settings.FORUM_URGENT_REPORTS_REJECTED_WINDOW_DAYS = 30
    rejected_urgent_reports(second_member, 3, days_ago=40)
    post = start(member, room)
    reports.report_create(reporter=second_member, post=post, reason=ReportReason.SAFEGUARDING)
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN


def test_a_reporters_record_counts_reports_filed_upheld_and_rejected(room, member, second_member):
    rejected_urgent_reports(second_member, 2)
    post = thread_with_posts(posts=1, category=Category.objects.first(), author=member).posts.get()
    item = ReviewItem.objects.create(
        post=post, kind="reported", resolution=Resolution.AGREE, resolved_at=timezone.now()
    )
    Report.objects.create(post=post, reporter=second_member, reason="spam", review_item=item)
    record = reports.reporter_records([second_member.pk, member.pk])
    assert (record[second_member.pk].filed, record[second_member.pk].upheld) == (3, 1)
    assert record[second_member.pk].rejected == 2
    assert record[member.pk].filed == 0


def test_other_reasons_hide_after_three_different_members(room, member, django_user_model):

    post = start(member, room)
    reporters = [member_of_type(name=f"Reporter {n}") for n in range(3)]
    for number, reporter in enumerate(reporters, start=1):
        reports.report_create(reporter=reporter, post=post, reason=ReportReason.SPAM)
        post.refresh_from_db()
        assert (post.state == PostState.HIDDEN) is (number == 3)
    assert ReviewItem.objects.get(post=post).report_count == 3


def suspend(member, moderator) -> None:
    Suspension.objects.create(
        member=member,
        until=timezone.now() + timedelta(days=7),
        reason="Personal remarks",
        created_by=moderator,
    )
    access.forget_forum(member)


def test_a_suspended_member_may_report_a_post_that_could_identify_a_child(
    room, member, second_member, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    post = start(member, room)
    suspend(second_member, moderator)

    with django_capture_on_commit_callbacks(execute=True):
        reports.report_create(
            reporter=second_member, post=post, reason=ReportReason.IDENTIFIES_CHILD
        )

    item = ReviewItem.objects.get(post=post, resolved_at__isnull=True)
    assert item.is_urgent
    assert [m.to for m in mailoutbox] == [[moderator.email]]


def test_a_suspended_member_s_urgent_report_hides_nothing_until_a_moderator_decides(
    room, member, second_member, moderator
):
    post = start(member, room)
    suspend(second_member, moderator)

    reports.report_create(reporter=second_member, post=post, reason=ReportReason.SAFEGUARDING)

    post.refresh_from_db()
    assert post.state == PostState.VISIBLE


def test_suspended_members_reports_do_not_count_towards_hiding_a_post(room, member, moderator):

    post = start(member, room)
    reporters = [member_of_type(name=f"Reporter {n}") for n in range(3)]
    suspend(reporters[0], moderator)
    for reporter in reporters:
        reports.report_create(reporter=reporter, post=post, reason=ReportReason.SPAM)

    post.refresh_from_db()
    assert post.state == PostState.VISIBLE
    assert ReviewItem.objects.get(post=post).report_count == 3


def test_a_member_reports_a_post_once(room, member, second_member):
    post = start(member, room)
    reports.report_create(reporter=second_member, post=post, reason=ReportReason.ABUSIVE)
    with pytest.raises(ValidationError, match="already reported"):
        reports.report_create(reporter=second_member, post=post, reason=ReportReason.SPAM)


def test_a_report_sent_twice_at_once_is_refused_as_already_made_not_an_error(
    room, member, second_member, monkeypatch
):
    post = start(member, room)
    left_today = reports.reports_left_today

    def the_first_request_commits_meanwhile(user) -> int:
        monkeypatch.setattr(reports, "reports_left_today", left_today)
        reports.report_create(reporter=second_member, post=post, reason=ReportReason.ABUSIVE)
        return left_today(user)

    monkeypatch.setattr(reports, "reports_left_today", the_first_request_commits_meanwhile)

    with pytest.raises(ValidationError, match="already reported"):
        reports.report_create(reporter=second_member, post=post, reason=ReportReason.ABUSIVE)
    assert post.reports.count() == 1


def test_reports_per_member_per_day_are_limited(settings, room, member, second_member):
    settings.FORUM_REPORTS_PER_DAY = 1
    thread = start(member, room).thread
    first = thread.posts.get()
    other = reply(author=member, thread=thread, body="A second post.")
    reports.report_create(reporter=second_member, post=first, reason=ReportReason.SPAM)
    with pytest.raises(ValidationError, match="in the last 24 hours"):
        reports.report_create(reporter=second_member, post=other, reason=ReportReason.SPAM)


def test_something_else_needs_details(room, member, second_member):
    with pytest.raises(ValidationError, match="what is wrong"):
        reports.report_create(
            reporter=second_member, post=start(member, room), reason=ReportReason.OTHER
        )


def test_category_recount_ignores_hidden_threads(room, member):
    thread_with_posts(category=room, author=member, posts=3)
    hidden = thread_with_posts(category=room, author=member, posts=2)
    hidden.state = ThreadState.HIDDEN
    hidden.save()
    publishing.category_recount(room)
    room = Category.objects.get(pk=room.pk)
    assert (room.thread_count, room.post_count) == (1, 3)


def test_a_title_is_kept_without_characters_that_turn_text_around():
    assert posting.clean_title("\u202eNight staffing rotas") == "Night staffing rotas"
