"""Writing posts: starting a thread, replying, an author's edit and removal, and the
checks every kind of writing shares (suspension, audience, rate, length, watch list,
the child-safety confirmation, double submissions).

Outermost operations run in `transaction.atomic(durable=True)`; notifications are
enqueued after the commit (publishing.post_announce), never sent inside the request.
"""

import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from forum import access, screening
from forum.models import (
    Category,
    Follow,
    HoldReason,
    Post,
    PostRevision,
    PostState,
    ReviewItem,
    ReviewKind,
    Thread,
    ThreadReadState,
    ThreadState,
    content_hash,
)
from forum.services import publishing, reading
from forum.services.attachments import (
    attachments_check,
    attachments_save,
    drafts_attach,
    drafts_check,
)
from members import access as members_access
from network.markup import MARKUP_RENDERER_VERSION, render_markdown
from network.text import shown_text, without_direction_controls

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200
TITLE_MIN_LENGTH = 5


class DuplicateSubmission(Exception):
    """The same form was submitted twice (a double click): the first post stands."""

    def __init__(self, post: Post):
        super().__init__("This was already posted.")
        self.post = post


def needs_child_safety_confirmation(user) -> bool:
    """A member's first post asks them to confirm it identifies no child."""
    return reading.preference_for(user).child_safety_confirmed_at is None


def _check_may_post(user, category: Category) -> None:
    suspension = access.forum_suspension(user)
    if suspension is not None:
        until = (
            f"until {date_format(timezone.localtime(suspension.until), 'j F Y, H:i')}"
            if suspension.until
            else "until a moderator lifts it"
        )
        raise ValidationError(
            f"You are suspended from posting in the forum {until}. Reason: {suspension.reason}",
            code="suspended",
        )
    if not access.can_post_in_category(user, category):
        raise PermissionDenied("You may not post in this category.")


def _check_rate(user) -> None:
    if members_access.is_moderator(user):
        return  # moderators clear up in bursts
    window = timedelta(minutes=settings.FORUM_POST_RATE_WINDOW_MINUTES)
    recent = Post.objects.filter(author=user, created_at__gte=timezone.now() - window).count()
    if recent >= settings.FORUM_POST_RATE_LIMIT:
        raise ValidationError(
            f"You have posted {recent} times in the last "
            f"{settings.FORUM_POST_RATE_WINDOW_MINUTES} minutes, the most the forum allows. "
            "Please wait a few minutes and post again: what you wrote is kept below.",
            code="rate_limited",
        )


def clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not shown_text(body).strip():
        raise ValidationError("Write something before posting.", code="empty")
    limit = settings.FORUM_POST_MAX_LENGTH
    if len(body) > limit:
        raise ValidationError(
            f"Posts may be at most {limit:,} characters; this one has {len(body):,}. "
            "Shorten it or split it into two posts.",
            code="too_long",
        )
    return body


def clean_title(title: str) -> str:
    title = " ".join(without_direction_controls(title or "").split())
    if len(shown_text(title).strip()) < TITLE_MIN_LENGTH:
        raise ValidationError(
            f"Give the thread a title of at least {TITLE_MIN_LENGTH} characters.", code="title"
        )
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            f"Titles may be at most {TITLE_MAX_LENGTH} characters.", code="title_long"
        )
    return title


def post_preview(*, body: str, title: str | None = None) -> str:
    """The HTML of a post as it would appear, after the same cleaning and limits as
    writing it (a preview must not render what posting would refuse, such as a body over
    FORUM_POST_MAX_LENGTH). ValidationError says what to change."""
    if title is not None:
        clean_title(title)
    return render_markdown(clean_body(body))


def _check_watch_list(text: str) -> screening.Screening:
    found = screening.screen_text(text)
    if found.blocking:
        raise ValidationError([ValidationError(m, code="blocked") for m in found.block_messages])
    return found


def _screen(
    text: str, *, thread_id: int | None = None, exclude_pk: int | None = None
) -> screening.Screening:
    """The watch list's verdict on `text`, and the posts it quotes that readers no
    longer see (which hold it: screening.hold_reason_for)."""
    found = _check_watch_list(text)
    found.quoting_not_shown = screening.quoted_posts_not_shown(
        text, thread_id=thread_id, exclude_pk=exclude_pk
    )
    return found


def _check_confirmation(user, confirmed: bool) -> None:
    if needs_child_safety_confirmation(user) and not confirmed:
        raise ValidationError(
            "Please confirm that your post does not identify a child or young person.",
            code="confirm",
        )


def _check_duplicate(user, submission_key: uuid.UUID | None) -> None:
    if submission_key is None:
        return
    existing = Post.objects.filter(author=user, submission_key=submission_key).first()
    if existing is not None:
        raise DuplicateSubmission(existing)


# --- Writing posts ------------------------------------------------------------------------


def _render(post: Post) -> None:
    post.body_html = render_markdown(post.body)
    post.renderer_version = MARKUP_RENDERER_VERSION


def _follow_on_post(user, thread: Thread) -> None:
    if not reading.preference_for(user).follow_on_post:
        return
    Follow.objects.get_or_create(user=user, thread=thread)


def _confirm_child_safety(user) -> None:
    preference = reading.preference_for(user)
    if preference.child_safety_confirmed_at is None:
        preference.child_safety_confirmed_at = timezone.now()
        preference.save()


def _hold(post: Post, *, reason: str, found: screening.Screening) -> ReviewItem:
    # An item already open (an edit sent a reported post back to review) becomes the held
    # post's: its reports and notes are safeguarding records, and stay with it.
    item = ReviewItem.objects.filter(post=post, resolved_at__isnull=True).first()
    if item is None:
        item = ReviewItem.objects.create(post=post, kind=ReviewKind.HELD, hold_reason=reason)
    else:
        item.kind = ReviewKind.HELD
        item.hold_reason = reason
        item.save(update_fields=["kind", "hold_reason"])
    if found.holding:
        item.matched_patterns.set([m.pattern for m in found.holding])
    return item


def thread_create(
    *,
    author,
    category: Category,
    title: str,
    body: str,
    attachments: Sequence = (),
    kept_attachments: Sequence[int] = (),
    submission_key: uuid.UUID | None = None,
    confirmed_child_safety: bool = False,
) -> Post:
    """Start a thread with its opening post. Returns the post (held or visible)."""
    _check_may_post(author, category)
    title = clean_title(title)
    body = clean_body(body)
    _check_duplicate(author, submission_key)
    _check_confirmation(author, confirmed_child_safety)
    found = _screen(f"{title}\n{body}")
    kept = drafts_check(owner=author, ids=kept_attachments)
    checked = attachments_check(attachments, already=len(kept))
    _check_rate(author)
    reason = screening.hold_reason_for(author=author, category=category, screening=found)
    now = timezone.now()
    try:
        with transaction.atomic(durable=True):
            thread = Thread.objects.create(
                category=category,
                title=title,
                author=author,
                state=ThreadState.HELD if reason else ThreadState.VISIBLE,
                post_number_counter=1,
                last_post_at=now,
                last_post_author=author,
                created_at=now,
            )
            post = Post(
                thread=thread,
                post_number=1,
                author=author,
                body=body,
                state=PostState.HELD if reason else PostState.VISIBLE,
                hold_reason=reason,
                submission_key=submission_key,
                created_at=now,
            )
            _render(post)
            post.save()
            image_waiting = attachments_save(post, checked)
            image_waiting = drafts_attach(post, kept) or image_waiting
            _confirm_child_safety(author)
            _follow_on_post(author, thread)
            ThreadReadState.objects.create(user=author, thread=thread, last_read_post_number=1)
            publishing.thread_search_index(thread)
            if reason:
                _hold(post, reason=reason, found=found)
            else:
                publishing.counters_after_new_visible_post(post, new_thread=True)
                publishing.post_search_index(post)
                publishing.post_count_activity(post)
                if image_waiting:
                    publishing.image_review_open(post)
                publishing.post_announce(post)
    except IntegrityError:
        _check_duplicate(author, submission_key)
        raise
    return post


def post_reply(
    *,
    author,
    thread: Thread,
    body: str,
    attachments: Sequence = (),
    kept_attachments: Sequence[int] = (),
    submission_key: uuid.UUID | None = None,
    confirmed_child_safety: bool = False,
) -> Post:
    """Add a reply at the end of `thread`."""
    if not access.can_read_thread(author, thread):
        raise PermissionDenied("You may not read this thread.")
    _check_may_post(author, thread.category)
    if thread.merged_into_id:
        raise ValidationError("This thread was merged into another; reply there.", code="merged")
    if thread.is_locked and not access.is_category_moderator(author, thread.category):
        raise ValidationError(
            "This thread is locked: nobody can reply to it any more. What you wrote is kept "
            "below if you want to copy it.",
            code="locked",
        )
    body = clean_body(body)
    _check_duplicate(author, submission_key)
    _check_confirmation(author, confirmed_child_safety)
    found = _screen(body, thread_id=thread.pk)
    kept = drafts_check(owner=author, ids=kept_attachments)
    checked = attachments_check(attachments, already=len(kept))
    _check_rate(author)
    reason = screening.hold_reason_for(author=author, category=thread.category, screening=found)
    try:
        with transaction.atomic(durable=True):
            # The row lock hands out post numbers one at a time.
            locked = Thread.objects.select_for_update().get(pk=thread.pk)
            number = locked.post_number_counter + 1
            Thread.objects.filter(pk=thread.pk).update(post_number_counter=number)
            post = Post(
                thread=locked,
                post_number=number,
                author=author,
                body=body,
                state=PostState.HELD if reason else PostState.VISIBLE,
                hold_reason=reason,
                submission_key=submission_key,
                created_at=timezone.now(),
            )
            _render(post)
            post.save()
            image_waiting = attachments_save(post, checked)
            image_waiting = drafts_attach(post, kept) or image_waiting
            _confirm_child_safety(author)
            _follow_on_post(author, locked)
            reading.read_to(author, locked, number)
            if reason:
                _hold(post, reason=reason, found=found)
            else:
                publishing.post_search_index(post)
                publishing.post_count_activity(post)
                if image_waiting:
                    publishing.image_review_open(post)
                # In a thread still held for review, counters and notifications wait
                # for the moderator's approval of its opening post (post_publish).
                if locked.state == ThreadState.VISIBLE:
                    publishing.counters_after_new_visible_post(post, new_thread=False)
                    publishing.post_announce(post)
    except IntegrityError:
        _check_duplicate(author, submission_key)
        raise
    thread.post_number_counter = number
    return post


def check_unchanged_since(current_body: str, based_on: str | None) -> None:
    """Refuse an edit made from a page opened before the post's text changed (a
    moderator's edit, a save from another window): it would undo that change unseen.
    `based_on` is content_hash of the text the page started from; None checks nothing."""
    if based_on and content_hash(current_body) != based_on:
        raise ValidationError(
            "This post changed after you opened it for editing (a moderator edited it, or "
            "it was saved from another window), so your edit is not saved. Open the edit "
            "page again to start from the post as it is now; what you wrote is kept below "
            "to copy from.",
            code="changed",
        )


def _edit_hold_reason(post: Post, found: screening.Screening) -> str:
    """Why an edit sends the post to review ("" when it does not): a visible post
    held for a quote or a watch-list match. A post already waiting takes the quote as
    its reason, so the moderator who reads it learns what it quotes."""
    if found.quoting_not_shown and post.state in (PostState.VISIBLE, PostState.HELD):
        return HoldReason.QUOTES_NOT_SHOWN
    if found.holding and post.state == PostState.VISIBLE:
        return HoldReason.WATCH_LIST
    return ""


def post_edit(*, editor, post: Post, body: str, based_on: str | None = None) -> Post:
    """The author changes their post's text, keeping the earlier text as a revision. A
    moderator changing someone else's post goes through moderation.actions
    .post_moderator_edit, which asks for the reason readers see under the post."""
    if editor.pk != post.author_id or not access.can_edit_post(editor, post):
        raise PermissionDenied("You may not edit this post.")
    body = clean_body(body)
    found = screening.Screening()
    if not access.is_category_moderator(editor, post.thread.category):
        found = _screen(body, thread_id=post.thread_id, exclude_pk=post.pk)
    with transaction.atomic(durable=True):
        # The row is locked so that the text compared is the text replaced.
        post.body = Post.objects.select_for_update().values_list("body", flat=True).get(pk=post.pk)
        check_unchanged_since(post.body, based_on)
        if body == post.body:
            return post
        PostRevision.objects.create(post=post, body=post.body, edited_by=editor)
        post.body = body
        _render(post)
        post.edited_at = timezone.now()
        post.edited_by = editor
        fields = ["body", "body_html", "renderer_version", "edited_at", "edited_by"]
        reason = _edit_hold_reason(post, found)
        went_to_review = bool(reason) and post.state == PostState.VISIBLE
        if went_to_review:
            post.state = PostState.HELD
            post.state_changed_at = timezone.now()
            fields += ["state", "state_changed_at"]
        if reason:
            post.hold_reason = reason
            fields.append("hold_reason")
        post.save(update_fields=fields)
        if reason:
            _hold(post, reason=reason, found=found)
        if went_to_review:
            publishing.thread_recount(post.thread)
            publishing.category_recount(post.thread.category)
        publishing.post_search_index(post)
    return post


def post_remove(*, user, post: Post) -> Post:
    """The author deletes their post: "removed" stays in its place in the thread."""
    if not access.can_delete_post(user, post):
        raise PermissionDenied("You may not delete this post.")
    with transaction.atomic(durable=True):
        was_visible = post.state == PostState.VISIBLE
        post.state = PostState.REMOVED
        post.state_changed_at = timezone.now()
        post.save(update_fields=["state", "state_changed_at"])
        # A held post nobody reported needs no decision once gone; reports stay for a
        # moderator, who may still act on the author.
        ReviewItem.objects.filter(
            post=post, resolved_at__isnull=True, kind=ReviewKind.HELD, report_count=0
        ).update(resolution="ignore", resolved_at=timezone.now())
        if post.post_number == 1 and post.thread.state == ThreadState.HELD:
            Thread.objects.filter(pk=post.thread_id).update(state=ThreadState.HIDDEN)
        if was_visible:
            publishing.thread_recount(post.thread)
            publishing.category_recount(post.thread.category)
    return post
