"""A member hears what a moderator decided about what they wrote: a post hidden or not
published, an image not approved, a suspension; once each, with the moderator's reason,
never the post's text, and nothing when the decision was undone before the email went."""

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from forum.models import (
    AttachmentApproval,
    ModerationAction,
    ModerationActionKind,
    PostAttachment,
    PostState,
    ReportReason,
)
from forum.moderation import actions, notices, suspensions
from forum.moderation.queue import Decision
from forum.moderation.threads import thread_hide, thread_restore
from forum.services import reports
from forum.tasks import moderation_notice_send
from network.mail import site_url
from tests.forum.factories import held_post, held_thread, member_of_type, thread_with_posts

pytestmark = pytest.mark.django_db

BODY = "Our rota this winter, with the names of the two youngest."


@pytest.fixture
def writer():
    return member_of_type(name="Femi Adebayo")


def _reply_by(writer):
    """A reply by `writer` in a thread someone else started."""
    post = thread_with_posts(posts=2).posts.get(post_number=2)
    post.author = writer
    post.save(update_fields=["author"])
    return post


def test_a_hidden_post_s_author_is_told_why_without_the_post_s_text(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = thread_with_posts(posts=1, author=writer, title="Winter rotas").posts.get()
    post.body = BODY
    post.save(update_fields=["body"])

    with django_capture_on_commit_callbacks(execute=True):
        actions.post_hide(actor=moderator, post=post, reason="Names young people in the home")

    [message] = mail.outbox
    assert message.to == [writer.email]
    assert message.subject == "Your post in “Winter rotas” was hidden by a moderator"
    assert "The moderator's reason: Names young people in the home" in message.body
    assert BODY not in message.body and BODY not in message.alternatives[0][0]


def test_a_notice_links_to_the_post_itself_not_the_top_of_its_thread(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = _reply_by(writer)

    with django_capture_on_commit_callbacks(execute=True):
        actions.post_hide(actor=moderator, post=post, reason="Names young people in the home")

    [message] = mail.outbox
    assert f"Your post: {site_url(post.get_absolute_url())}\n" in message.body


def test_a_hidden_post_s_notice_promises_its_author_nothing_the_thread_does_not_show(
    moderator, writer, client, django_capture_on_commit_callbacks
):
    post = _reply_by(writer)
    post.body = BODY
    post.body_html = f"<p>{BODY}</p>"
    post.save(update_fields=["body", "body_html"])

    with django_capture_on_commit_callbacks(execute=True):
        actions.post_hide(actor=moderator, post=post, reason="Names young people in the home")

    [message] = mail.outbox
    assert "you still can" not in message.body
    assert "Only the moderators can read it now" in message.body
    assert "Only the moderators can read it now" in message.alternatives[0][0]
    client.force_login(writer)
    page = client.get(post.get_absolute_url(), follow=True).content.decode()
    assert BODY not in page


def test_a_post_not_published_tells_its_author_the_thread_shows_only_that_it_was_hidden(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = held_post(author=writer)

    with django_capture_on_commit_callbacks(execute=True):
        actions.post_reject(actor=moderator, post=post, reason="")

    [message] = mail.outbox
    assert "you still can" not in message.body
    assert "the thread shows only that it was hidden" in message.body


def test_a_notice_goes_once_however_often_its_task_runs(moderator, writer):
    post = thread_with_posts(posts=1, author=writer).posts.get()
    actions.post_hide(actor=moderator, post=post, reason="Off topic")
    entry = ModerationAction.objects.get(post=post)

    assert moderation_notice_send(entry.pk) is True
    assert moderation_notice_send(entry.pk) is False
    assert len(mail.outbox) == 1


def test_a_post_shown_again_before_the_email_goes_sends_nothing(moderator, writer):
    post = thread_with_posts(posts=1, author=writer).posts.get()
    actions.post_hide(actor=moderator, post=post, reason="Checking a report")
    actions.post_restore(actor=moderator, post=post, reason="Nothing wrong")

    assert moderation_notice_send(ModerationAction.objects.get(action="hide").pk) is False
    assert mail.outbox == []


def test_agreeing_with_reports_that_hid_a_post_tells_its_author_the_reports_reasons(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = _reply_by(writer)
    with django_capture_on_commit_callbacks(execute=True):
        reports.report_create(
            reporter=member_of_type(), post=post, reason=ReportReason.IDENTIFIES_CHILD
        )
    mail.outbox.clear()  # the moderators' alert
    item = post.review_items.get()

    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)

    [message] = [message for message in mail.outbox if writer.email in message.to]
    assert "Members reported it as: Could identify a child or young person." in message.body
    assert "Agree: hide the post" not in message.body


def test_a_notice_gives_no_reason_from_reports_a_moderator_disagreed_with(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = _reply_by(writer)
    reports.report_create(
        reporter=member_of_type(), post=post, reason=ReportReason.IDENTIFIES_CHILD
    )
    actions.review_resolve(
        actor=moderator, item=post.review_items.get(), decision=Decision.DISAGREE
    )
    for _ in range(3):
        reports.report_create(reporter=member_of_type(), post=post, reason=ReportReason.SPAM)
    mail.outbox.clear()
    item = post.review_items.get(resolved_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)

    # Its reporters hear too (the post was kept up before): the author's notice is the one.
    [message] = [message for message in mail.outbox if writer.email in message.to]
    assert "Members reported it as: Spam." in message.body


def test_agreeing_with_reports_on_a_post_a_moderator_already_hid_sends_no_second_notice(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = _reply_by(writer)
    reports.report_create(reporter=member_of_type(), post=post, reason=ReportReason.ABUSIVE)
    item = post.review_items.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_hide(actor=moderator, post=post, reason="Personal attack")

    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=item, decision=Decision.HIDE)

    [message] = [message for message in mail.outbox if writer.email in message.to]
    assert "The moderator's reason: Personal attack" in message.body


def test_a_post_not_published_after_review_tells_its_author(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = held_post(author=writer)

    with django_capture_on_commit_callbacks(execute=True):
        actions.post_reject(actor=moderator, post=post, reason="")

    [message] = mail.outbox
    assert "was not published" in message.subject
    assert "The moderator's reason" not in message.body


def test_an_image_not_approved_tells_its_author_its_name(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = thread_with_posts(posts=1, author=writer).posts.get()
    image = PostAttachment(
        post=post, original_filename="garden.png", content_type="image/png", extension="png",
        size_bytes=10, is_image=True, approval=AttachmentApproval.PENDING,
        metadata_stripped=True,
    )  # fmt: skip
    image.file.save("garden.png", ContentFile(b"not really"), save=False)
    image.save()

    with django_capture_on_commit_callbacks(execute=True):
        actions.attachment_reject(actor=moderator, attachment=image, reason="Shows a face")

    [message] = mail.outbox
    assert "An image you attached" in message.subject
    assert "garden.png" in message.body and "Shows a face" in message.body


def test_a_suspended_member_is_told_until_when_and_why(
    moderator, writer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        suspensions.member_suspend(
            actor=moderator, member=writer, until=None, reason="Repeated personal attacks"
        )

    [message] = mail.outbox
    assert message.subject == "You are suspended from posting in the forum"
    assert "until a moderator lifts it" in message.body
    assert "The reason: Repeated personal attacks" in message.body


def test_a_post_hidden_automatically_by_reports_tells_nobody_until_a_moderator_decides(
    writer, django_capture_on_commit_callbacks
):
    post = _reply_by(writer)

    with django_capture_on_commit_callbacks(execute=True):
        reports.report_create(
            reporter=member_of_type(), post=post, reason=ReportReason.SAFEGUARDING
        )

    post.refresh_from_db()
    assert post.state == PostState.HIDDEN
    assert writer.email not in [address for m in mail.outbox for address in m.to]


@pytest.mark.parametrize("decision", [Decision.KEEP, Decision.IGNORE])
def test_leaving_hidden_a_post_its_reports_hid_tells_its_author_once(
    decision, moderator, writer, django_capture_on_commit_callbacks
):
    post = _reply_by(writer)
    reports.report_create(reporter=member_of_type(), post=post, reason=ReportReason.SAFEGUARDING)

    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(actor=moderator, item=post.review_items.get(), decision=decision)

    [message] = [message for message in mail.outbox if writer.email in message.to]
    assert message.subject == f"Your post in “{post.thread.title}” was hidden by a moderator"
    assert "a forum moderator has now decided it stays hidden" in message.body
    assert "Members reported it as: Safeguarding concern." in message.body
    resolved = ModerationAction.objects.get(action=ModerationActionKind.RESOLVE)
    assert moderation_notice_send(resolved.pk) is False  # once


def test_leaving_hidden_a_post_the_moderators_had_kept_up_tells_its_author_it_is_now_hidden(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = _reply_by(writer)
    reports.report_create(reporter=member_of_type(), post=post, reason=ReportReason.ABUSIVE)
    actions.review_resolve(actor=moderator, item=post.review_items.get(), decision=Decision.IGNORE)
    later = member_of_type(email="later@example.org")
    reports.report_create(reporter=later, post=post, reason=ReportReason.SAFEGUARDING)

    with django_capture_on_commit_callbacks(execute=True):
        actions.review_resolve(
            actor=moderator, item=post.review_items.get(resolved_at=None), decision=Decision.IGNORE
        )

    [message] = [message for message in mail.outbox if writer.email in message.to]
    assert message.subject == (
        f"Your post in “{post.thread.title}” has now been hidden by a moderator"
    )
    [reversal] = [message for message in mail.outbox if later.email in message.to]
    assert reversal.subject.endswith("has now been hidden")


def test_a_moderator_hiding_their_own_post_gets_no_notice(
    moderator, django_capture_on_commit_callbacks
):
    post = thread_with_posts(posts=1, author=moderator).posts.get()

    with django_capture_on_commit_callbacks(execute=True):
        actions.post_hide(actor=moderator, post=post, reason="Posted in the wrong room")

    assert mail.outbox == []


def test_every_kind_told_is_a_moderator_s_decision():
    assert ModerationActionKind.AUTO_HIDE not in notices.TOLD


def test_a_notice_of_an_opening_post_hidden_says_the_thread_went_with_it_and_links_nowhere(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = thread_with_posts(posts=2, author=writer, title="Winter rotas").posts.get(post_number=1)

    with django_capture_on_commit_callbacks(execute=True):
        actions.post_hide(actor=moderator, post=post, reason="Names young people in the home")

    [message] = mail.outbox
    for text in (message.body, message.alternatives[0][0]):
        assert "the thread is hidden with it" in text
        assert post.get_absolute_url() not in text
    assert "Your post:" not in message.body


def test_a_notice_of_a_new_thread_not_published_links_nowhere(
    moderator, writer, django_capture_on_commit_callbacks
):
    post = held_thread(author=writer)

    with django_capture_on_commit_callbacks(execute=True):
        actions.post_reject(actor=moderator, post=post, reason="")

    [message] = mail.outbox
    assert "the thread it opens will not be listed" in message.body
    assert post.get_absolute_url() not in message.body


def test_the_starter_of_a_thread_a_moderator_hid_is_told_why(
    moderator, writer, django_capture_on_commit_callbacks
):
    thread = thread_with_posts(posts=3, author=writer, title="Winter rotas")

    with django_capture_on_commit_callbacks(execute=True):
        thread_hide(actor=moderator, thread=thread, reason="Advertising a recruitment agency")

    [message] = mail.outbox
    assert message.to == [writer.email]
    assert message.subject == "Your thread “Winter rotas” was hidden by a moderator"
    for text in (message.body, message.alternatives[0][0]):
        assert "hidden the thread you started" in text
        assert "Advertising a recruitment agency" in text
        assert thread.get_absolute_url() not in text


def test_a_thread_listed_again_before_the_email_goes_sends_nothing(moderator, writer):
    thread = thread_with_posts(posts=2, author=writer)
    thread_hide(actor=moderator, thread=thread, reason="Checking")
    thread_restore(actor=moderator, thread=thread, reason="Fine after all")
    entry = ModerationAction.objects.get(action=ModerationActionKind.HIDE_THREAD)

    assert moderation_notice_send(entry.pk) is False
    assert mail.outbox == []
