"""Forum business operations: writing posts, read state, follows, reactions, bookmarks,
reports and the automatic moderation they trigger.

Every write that changes what readers see goes through here, so the denormalised
counters on Thread and Category stay right (forum_recount recomputes them from scratch).
Outermost operations run in `transaction.atomic(durable=True)`; notifications and
emails are enqueued with `transaction.on_commit`, never sent inside the request.
Access questions go to members/access.py.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum, Value
from django.utils import timezone
from django.utils.formats import date_format
from PIL import Image

from forum import screening
from forum.models import (
    URGENT_REPORT_REASONS,
    AttachmentApproval,
    Category,
    CategoryReadMark,
    Follow,
    ForumPreference,
    ModerationAction,
    ModerationActionKind,
    Notification,
    NotificationKind,
    Post,
    PostAttachment,
    PostBookmark,
    PostRevision,
    PostState,
    Reaction,
    Report,
    ReportReason,
    Resolution,
    ReviewItem,
    ReviewKind,
    Thread,
    ThreadReadState,
    ThreadState,
    content_hash,
)
from members import access
from network.files import attachment_file_check
from network.markup import MARKUP_RENDERER_VERSION, markdown_to_text, render_markdown

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200
TITLE_MIN_LENGTH = 5


class DuplicateSubmission(Exception):
    """The same form was submitted twice (a double click): the first post stands."""

    def __init__(self, post: Post):
        super().__init__("This was already posted.")
        self.post = post


# --- Checks shared by every kind of writing ------------------------------------------------


def preference_for(user) -> ForumPreference:
    """The member's forum settings (defaults when they never changed them; not saved)."""
    try:
        return user.forum_preference
    except ForumPreference.DoesNotExist:
        return ForumPreference(user=user)


def needs_child_safety_confirmation(user) -> bool:
    """A member's first post asks them to confirm it identifies no child."""
    return preference_for(user).child_safety_confirmed_at is None


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
    if access.is_moderator(user):
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
    if not body:
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
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN_LENGTH:
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
        raise ValidationError(found.block_messages, code="blocked")
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


# --- Attachments ------------------------------------------------------------------------


@dataclass
class CheckedUpload:
    uploaded: object
    content_type: str
    extension: str
    is_image: bool


def attachments_check(files: Sequence) -> list[CheckedUpload]:
    """Check uploads like the library does (type from the bytes, size, and for images
    the width and height from the header, decoding nothing). Raises ValidationError
    naming the file."""
    files = [f for f in files if f]
    if len(files) > settings.FORUM_ATTACHMENTS_PER_POST:
        raise ValidationError(
            f"Attach at most {settings.FORUM_ATTACHMENTS_PER_POST} files to one post.",
            code="too_many",
        )
    checked = []
    for uploaded in files:
        try:
            found = attachment_file_check(uploaded, max_bytes=settings.FORUM_ATTACHMENT_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError(f"{uploaded.name}: {' '.join(error.messages)}") from error
        is_image = found.content_type.startswith("image/")
        checked.append(CheckedUpload(uploaded, found.content_type, found.extension, is_image))
    return checked


_PILLOW_FORMATS = {"png": "PNG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP"}


def _image_without_metadata(source, extension: str) -> bytes:
    """The image re-encoded from its pixels: no EXIF (location, camera, time), no
    comments or text chunks; turned upright first, as EXIF orientation said. Decodes the
    whole image, so it runs in a task, on images whose size was checked on upload."""
    from PIL import Image, ImageOps

    with Image.open(source) as image:
        image.load()
        upright = ImageOps.exif_transpose(image)
        clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        if upright.mode == "P" and upright.getpalette():
            clean.putpalette(upright.getpalette())
    output = BytesIO()
    clean.save(output, format=_PILLOW_FORMATS[extension])
    return output.getvalue()


def _attachments_save(post: Post, checked: list[CheckedUpload]) -> bool:
    """Store the files; True when an image waits for a moderator. Images are stored as
    uploaded, unseen, and stripped of their metadata by a task once this commits."""
    waiting = False
    for item in checked:
        attachment = PostAttachment(
            post=post,
            original_filename=(item.uploaded.name or "file")[:200],
            content_type=item.content_type,
            extension=item.extension,
            is_image=item.is_image,
            metadata_stripped=not item.is_image,
            approval=AttachmentApproval.PENDING if item.is_image else AttachmentApproval.APPROVED,
        )
        item.uploaded.seek(0)
        attachment.size_bytes = item.uploaded.size
        attachment.file.save(attachment.original_filename, item.uploaded, save=False)
        attachment.save()
        if item.is_image:
            waiting = True
            from forum import tasks

            attachment_id = attachment.pk
            transaction.on_commit(lambda pk=attachment_id: tasks.attachment_strip.delay(pk))
    return waiting


def attachment_strip(*, attachment_id: int) -> bool:
    """Replace a stored image by the same pixels without metadata. True when it did so;
    False when there was nothing to do (already stripped, or gone), so a retried or
    repeated task changes nothing. An image that cannot be decoded is rejected and its
    file deleted: nobody could approve what cannot be shown."""
    with transaction.atomic(durable=True):
        attachment = (
            PostAttachment.objects.select_for_update()
            .filter(pk=attachment_id, is_image=True, metadata_stripped=False)
            .first()
        )
        if attachment is None or not attachment.file:
            return False
        original = attachment.file
        try:
            with original.open("rb") as stored:
                content = _image_without_metadata(stored, attachment.extension)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            logger.warning("forum image could not be decoded attachment=%s", attachment.pk)
            attachment.approval = AttachmentApproval.REJECTED
            attachment.metadata_stripped = True
            attachment.save(update_fields=["approval", "metadata_stripped"])
            transaction.on_commit(lambda: original.delete(save=False))
            return False
        old_name = original.name
        attachment.file.save(attachment.original_filename, ContentFile(content), save=False)
        attachment.size_bytes = len(content)
        attachment.metadata_stripped = True
        attachment.save(update_fields=["file", "size_bytes", "metadata_stripped"])
        storage = attachment.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return True


# --- Writing posts ------------------------------------------------------------------------


def _render(post: Post) -> None:
    post.body_html = render_markdown(post.body)
    post.renderer_version = MARKUP_RENDERER_VERSION


def post_search_index(post: Post) -> None:
    """Refresh the stored search vector (PostgreSQL); SQLite searches the columns."""
    if connection.vendor != "postgresql":
        return
    Post.objects.filter(pk=post.pk).update(
        search_vector=SearchVector(Value(markdown_to_text(post.body)), weight="B", config="english")
    )


def thread_search_index(thread: Thread) -> None:
    if connection.vendor != "postgresql":
        return
    Thread.objects.filter(pk=thread.pk).update(
        search_vector=SearchVector(Value(thread.title), weight="A", config="english")
    )


def _follow_on_post(user, thread: Thread) -> None:
    if not preference_for(user).follow_on_post:
        return
    Follow.objects.get_or_create(user=user, thread=thread)


def _confirm_child_safety(user) -> None:
    preference = preference_for(user)
    if preference.child_safety_confirmed_at is None:
        preference.child_safety_confirmed_at = timezone.now()
        preference.save()


def _hold(post: Post, *, reason: str, found: screening.Screening) -> ReviewItem:
    item = ReviewItem.objects.create(post=post, kind=ReviewKind.HELD, hold_reason=reason)
    if found.holding:
        item.matched_patterns.set([m.pattern for m in found.holding])
    return item


def _image_review(post: Post) -> None:
    ReviewItem.objects.get_or_create(
        post=post, resolved_at=None, defaults={"kind": ReviewKind.IMAGE}
    )


def _counters_after_new_visible_post(post: Post, *, new_thread: bool) -> None:
    """A visible post was added at the end of its thread: move the counters on."""
    Thread.objects.filter(pk=post.thread_id).update(
        post_count=F("post_count") + 1,
        last_post_number=post.post_number,
        last_post_at=post.created_at,
        last_post_author=post.author,
    )
    Category.objects.filter(pk=post.thread.category_id).update(
        post_count=F("post_count") + 1,
        thread_count=F("thread_count") + (1 if new_thread else 0),
        last_post_at=post.created_at,
        last_thread=post.thread_id,
        last_post_author=post.author,
    )


def thread_recount(thread: Thread) -> None:
    """Recompute a thread's counters from its posts (after a post changed state)."""
    posts = Post.objects.filter(thread=thread, state=PostState.VISIBLE)
    last = posts.order_by("-post_number").values("post_number", "created_at", "author").first()
    Thread.objects.filter(pk=thread.pk).update(
        post_count=posts.count(),
        last_post_number=last["post_number"] if last else 0,
        last_post_at=last["created_at"] if last else thread.created_at,
        last_post_author=last["author"] if last else None,
    )


def category_recount(category: Category) -> None:
    """Recompute a category's counters from its listed threads."""
    threads = Thread.objects.filter(category=category).listed().filter(post_count__gt=0)
    totals = threads.aggregate(threads=Count("pk"), posts=Sum("post_count"))
    last = threads.order_by("-last_post_at", "-id").values("pk", "last_post_at", "last_post_author")
    last = last.first()
    Category.objects.filter(pk=category.pk).update(
        thread_count=totals["threads"] or 0,
        post_count=totals["posts"] or 0,
        last_post_at=last["last_post_at"] if last else None,
        last_thread=last["pk"] if last else None,
        last_post_author=last["last_post_author"] if last else None,
    )


def _after_commit_notify(post: Post) -> None:
    from forum import tasks

    post_id = post.pk
    transaction.on_commit(lambda: tasks.post_notify.delay(post_id))


def thread_create(
    *,
    author,
    category: Category,
    title: str,
    body: str,
    attachments: Sequence = (),
    submission_key: uuid.UUID | None = None,
    confirmed_child_safety: bool = False,
) -> Post:
    """Start a thread with its opening post. Returns the post (held or visible)."""
    _check_may_post(author, category)
    title = clean_title(title)
    body = clean_body(body)
    _check_duplicate(author, submission_key)
    _check_confirmation(author, confirmed_child_safety)
    found = _check_watch_list(f"{title}\n{body}")
    checked = attachments_check(attachments)
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
            image_waiting = _attachments_save(post, checked)
            _confirm_child_safety(author)
            _follow_on_post(author, thread)
            ThreadReadState.objects.create(user=author, thread=thread, last_read_post_number=1)
            thread_search_index(thread)
            if reason:
                _hold(post, reason=reason, found=found)
            else:
                _counters_after_new_visible_post(post, new_thread=True)
                post_search_index(post)
                if image_waiting:
                    _image_review(post)
                _after_commit_notify(post)
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
    found = _check_watch_list(body)
    checked = attachments_check(attachments)
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
            image_waiting = _attachments_save(post, checked)
            _confirm_child_safety(author)
            _follow_on_post(author, locked)
            _read_to(author, locked, number)
            if reason:
                _hold(post, reason=reason, found=found)
            else:
                post_search_index(post)
                if image_waiting:
                    _image_review(post)
                # In a thread still held for review, counters and notifications wait
                # for the moderator's approval of its opening post (post_publish).
                if locked.state == ThreadState.VISIBLE:
                    _counters_after_new_visible_post(post, new_thread=False)
                    _after_commit_notify(post)
    except IntegrityError:
        _check_duplicate(author, submission_key)
        raise
    thread.post_number_counter = number
    return post


def post_edit(*, editor, post: Post, body: str, reason: str = "") -> Post:
    """Change a post's text, keeping the earlier text as a revision. A moderator editing
    someone else's post gives a reason, shown under the post."""
    if not access.can_edit_post(editor, post):
        raise PermissionDenied("You may not edit this post.")
    body = clean_body(body)
    is_moderating = editor.pk != post.author_id
    if is_moderating and not reason.strip():
        raise ValidationError("Give a reason for editing someone else's post.", code="reason")
    found = screening.Screening()
    if not access.is_category_moderator(editor, post.thread.category):
        found = _check_watch_list(body)
    if body == post.body:
        return post
    with transaction.atomic(durable=True):
        PostRevision.objects.create(
            post=post, body=post.body, edited_by=editor, reason=reason.strip()
        )
        before = content_hash(post.body)
        post.body = body
        _render(post)
        post.edited_at = timezone.now()
        post.edited_by = editor
        if is_moderating:
            post.edit_reason = reason.strip()[:300]
        fields = ["body", "body_html", "renderer_version", "edited_at", "edited_by", "edit_reason"]
        went_to_review = found.holding and post.state == PostState.VISIBLE
        if went_to_review:
            post.state = PostState.HELD
            post.hold_reason = "watch_list"
            post.state_changed_at = timezone.now()
            fields += ["state", "hold_reason", "state_changed_at"]
        post.save(update_fields=fields)
        if went_to_review:
            ReviewItem.objects.filter(post=post, resolved_at__isnull=True).delete()
            _hold(post, reason="watch_list", found=found)
            thread_recount(post.thread)
            category_recount(post.thread.category)
        post_search_index(post)
        if is_moderating:
            audit_record(
                actor=editor,
                action=ModerationActionKind.EDIT,
                post=post,
                reason=reason,
                hash_before=before,
                hash_after=content_hash(body),
            )
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
        ReviewItem.objects.filter(post=post, resolved_at__isnull=True, kind=ReviewKind.HELD).update(
            resolution="ignore", resolved_at=timezone.now()
        )
        if post.post_number == 1 and post.thread.state == ThreadState.HELD:
            Thread.objects.filter(pk=post.thread_id).update(state=ThreadState.HIDDEN)
        if was_visible:
            thread_recount(post.thread)
            category_recount(post.thread.category)
    return post


# --- State changes moderation builds on ----------------------------------------------------


def audit_record(
    *,
    actor,
    action: str,
    post: Post | None = None,
    thread: Thread | None = None,
    member=None,
    reason: str = "",
    hash_before: str = "",
    hash_after: str = "",
    details: dict | None = None,
) -> ModerationAction:
    """Append one entry to the moderation log (`actor` None: done automatically).

    The target is named by ids, never by its title: a title can be redacted later, and
    the log, which nobody may change, must not keep what was taken out."""
    if post is not None and thread is None:
        thread = post.thread
    if post is not None:
        label = f"Post #{post.post_number} in thread {thread.pk}"
    elif thread is not None:
        label = f"Thread {thread.pk}"
    elif member is not None:
        label = f"Member {member} ({member.pk})"
    else:
        label = ""
    return ModerationAction.objects.create(
        actor=actor,
        actor_label=str(actor) if actor is not None else "",
        action=action,
        post=post,
        thread=thread,
        member=member,
        target_label=label[:300],
        reason=reason,
        hash_before=hash_before,
        hash_after=hash_after,
        details=details or {},
    )


def post_hide(*, post: Post, actor, reason: str, action: str = ModerationActionKind.HIDE) -> Post:
    """Take a post out of sight (moderators, or automatically after reports)."""
    if post.state == PostState.HIDDEN:
        return post
    was_visible = post.state == PostState.VISIBLE
    post.state = PostState.HIDDEN
    post.state_changed_at = timezone.now()
    post.save(update_fields=["state", "state_changed_at"])
    if was_visible:
        thread_recount(post.thread)
        category_recount(post.thread.category)
    audit_record(
        actor=actor,
        action=action,
        post=post,
        reason=reason,
        hash_before=content_hash(post.body),
        hash_after=content_hash(post.body),
    )
    return post


def post_publish(*, post: Post, actor) -> Post:
    """Make a held (or hidden) post visible: counters, search and notifications follow.
    A held opening post makes its thread visible too. The review queue calls this."""
    if post.state == PostState.VISIBLE:
        return post
    was_held = post.state == PostState.HELD
    post.state = PostState.VISIBLE
    post.state_changed_at = timezone.now()
    post.save(update_fields=["state", "state_changed_at"])
    thread = post.thread
    if post.post_number == 1 and thread.state == ThreadState.HELD:
        thread.state = ThreadState.VISIBLE
        thread.save(update_fields=["state"])
    thread_recount(thread)
    category_recount(thread.category)
    post_search_index(post)
    audit_record(
        actor=actor,
        action=ModerationActionKind.APPROVE if was_held else ModerationActionKind.RESTORE,
        post=post,
    )
    if was_held:
        if post.author_id is not None:
            Notification.objects.get_or_create(
                recipient_id=post.author_id,
                post=post,
                defaults={
                    "kind": NotificationKind.POST_APPROVED,
                    "thread": thread,
                    "actor": actor,
                },
            )
        _after_commit_notify(post)
        if post.attachments.filter(approval=AttachmentApproval.PENDING).exists():
            _image_review(post)
    return post


# --- Reading ------------------------------------------------------------------------------


def _read_to(user, thread: Thread, post_number: int) -> None:
    """Move the member's read pointer forward (never back) to `post_number`: one
    INSERT ... ON CONFLICT statement (both PostgreSQL and SQLite speak it)."""
    larger = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    table = ThreadReadState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, thread_id, last_read_post_number, updated_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (user_id, thread_id) DO UPDATE SET "
            f"last_read_post_number = {larger}({table}.last_read_post_number, "
            "excluded.last_read_post_number), updated_at = excluded.updated_at",
            [user.pk, thread.pk, post_number, timezone.now()],
        )


def thread_mark_read(*, user, thread: Thread, up_to: int) -> None:
    if not user.is_authenticated or up_to <= 0:
        return
    _read_to(user, thread, up_to)


def category_mark_read(*, user, category: Category) -> None:
    """Everything in the category up to now counts as read."""
    CategoryReadMark.objects.update_or_create(
        user=user, category=category, defaults={"marked_at": timezone.now()}
    )


# --- Following and preferences -----------------------------------------------------------


def thread_follow(*, user, thread: Thread) -> None:
    Follow.objects.update_or_create(user=user, thread=thread, defaults={"is_muted": False})


def thread_unfollow(*, user, thread: Thread) -> None:
    """Stop hearing about a thread, also when a category follow would bring it."""
    Follow.objects.update_or_create(user=user, thread=thread, defaults={"is_muted": True})


def category_follow(*, user, category: Category) -> None:
    Follow.objects.get_or_create(user=user, category=category)


def category_unfollow(*, user, category: Category) -> None:
    Follow.objects.filter(user=user, category=category).delete()


def preference_save(*, user, notify_by: str, email_mentions: bool, follow_on_post: bool) -> None:
    ForumPreference.objects.update_or_create(
        user=user,
        defaults={
            "notify_by": notify_by,
            "email_mentions": email_mentions,
            "follow_on_post": follow_on_post,
        },
    )


# --- Reactions and bookmarks -------------------------------------------------------------


def reaction_toggle(*, user, post: Post) -> bool:
    """Mark or unmark a post as helpful. Returns whether it is now marked."""
    if not access.can_react(user, post):
        raise PermissionDenied("You may not react to this post.")
    with transaction.atomic(durable=True):
        deleted, _ = Reaction.objects.filter(post=post, user=user).delete()
        if deleted:
            Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") - 1)
            return False
        Reaction.objects.create(post=post, user=user)
        Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") + 1)
        return True


def bookmark_toggle(*, user, post: Post) -> bool:
    deleted, _ = PostBookmark.objects.filter(user=user, post=post).delete()
    if deleted:
        return False
    PostBookmark.objects.get_or_create(user=user, post=post)
    return True


# --- Reports --------------------------------------------------------------------------------


def reports_left_today(user) -> int:
    since = timezone.now() - timedelta(days=1)
    made = Report.objects.filter(reporter=user, created_at__gte=since).count()
    return max(settings.FORUM_REPORTS_PER_DAY - made, 0)


@dataclass(frozen=True)
class ReporterRecord:
    """What became of a member's reports, shown to moderators beside each new one."""

    filed: int = 0
    upheld: int = 0
    rejected: int = 0
    urgent_rejected_recently: int = 0  # within FORUM_URGENT_REPORTS_REJECTED_WINDOW_DAYS

    @property
    def urgent_reports_hide(self) -> bool:
        """Do this member's urgent reports still hide a post at once?"""
        return self.urgent_rejected_recently < settings.FORUM_URGENT_REPORTS_REJECTED_LIMIT


def reporter_records(reporter_ids: Sequence[int]) -> dict[int, ReporterRecord]:
    """Each reporter's record, in one query however many reporters (the queue shows a
    page of them). Upheld: the moderators agreed with the item; rejected: they disagreed."""
    since = timezone.now() - timedelta(days=settings.FORUM_URGENT_REPORTS_REJECTED_WINDOW_DAYS)
    rejected = Q(review_item__resolution=Resolution.DISAGREE)
    rows = (
        Report.objects.filter(reporter_id__in=set(reporter_ids))
        .order_by()
        .values("reporter_id")
        .annotate(
            filed=Count("pk"),
            upheld=Count("pk", filter=Q(review_item__resolution=Resolution.AGREE)),
            rejected=Count("pk", filter=rejected),
            urgent_rejected_recently=Count(
                "pk",
                filter=rejected
                & Q(reason__in=URGENT_REPORT_REASONS, review_item__resolved_at__gte=since),
            ),
        )
    )
    records = {pk: ReporterRecord() for pk in reporter_ids}
    for row in rows:
        reporter_id = row.pop("reporter_id")
        records[reporter_id] = ReporterRecord(**row)
    return records


def report_create(*, reporter, post: Post, reason: str, details: str = "") -> Report:
    """A member reports a post. An urgent reason (could identify a child, safeguarding)
    hides it at once and alerts the moderators, unless the reporter's urgent reports
    were rejected FORUM_URGENT_REPORTS_REJECTED_LIMIT times lately: then it reaches the
    queue as urgent and alerts, but the post stays up until a moderator decides.
    Otherwise it is hidden once FORUM_REPORTS_TO_HIDE different members have reported
    it. All wait in the queue."""
    if not access.can_report_post(reporter, post):
        raise PermissionDenied("You may not report this post.")
    details = (details or "").strip()
    if reason not in ReportReason.values:
        raise ValidationError("Choose a reason.", code="reason")
    if reason == ReportReason.OTHER and not details:
        raise ValidationError("Tell the moderators what is wrong with this post.", code="details")
    if Report.objects.filter(post=post, reporter=reporter).exists():
        raise ValidationError(
            "You have already reported this post; the moderators will look at it.", code="again"
        )
    if reports_left_today(reporter) <= 0:
        raise ValidationError(
            f"You have made {settings.FORUM_REPORTS_PER_DAY} reports in the last 24 hours, the "
            "most the forum takes from one member. If something is urgent, use the contact page.",
            code="limit",
        )
    urgent = reason in URGENT_REPORT_REASONS
    hides_at_once = urgent and reporter_records([reporter.pk])[reporter.pk].urgent_reports_hide
    with transaction.atomic(durable=True):
        post = Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)
        item = ReviewItem.objects.filter(post=post, resolved_at__isnull=True).first()
        if item is None:
            item = ReviewItem.objects.create(post=post, kind=ReviewKind.REPORTED)
        report = Report.objects.create(
            post=post, reporter=reporter, reason=reason, details=details, review_item=item
        )
        reporters = Report.objects.filter(review_item=item).values("reporter").distinct().count()
        item.report_count = reporters
        item.kind = ReviewKind.REPORTED if item.kind == ReviewKind.IMAGE else item.kind
        item.is_urgent = item.is_urgent or urgent
        item.save(update_fields=["report_count", "kind", "is_urgent"])
        if urgent:
            from forum import tasks

            report_id = report.pk
            transaction.on_commit(lambda: tasks.moderators_alert.delay(report_id))
        if hides_at_once:
            post_hide(
                post=post,
                actor=None,
                reason=f"Reported: {report.get_reason_display()}. Hidden pending review.",
                action=ModerationActionKind.AUTO_HIDE,
            )
        elif reporters >= settings.FORUM_REPORTS_TO_HIDE:
            post_hide(
                post=post,
                actor=None,
                reason=f"Reported by {reporters} members. Hidden pending review.",
                action=ModerationActionKind.AUTO_HIDE,
            )
    return report


def unread_notification_count(user) -> int:
    return user.forum_notifications.filter(read_at__isnull=True).count()


def notifications_mark_read(*, user, ids: Sequence[int] | None = None) -> int:
    notes = user.forum_notifications.filter(read_at__isnull=True)
    if ids is not None:
        notes = notes.filter(pk__in=ids)
    return notes.update(read_at=timezone.now())


def since_for_day(day) -> tuple[datetime, datetime]:
    """The local day `day` as [start, end) aware datetimes."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)
