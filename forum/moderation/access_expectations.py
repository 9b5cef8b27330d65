"""What each role gets from each moderation URL (the project-wide access-matrix test).

Only forum moderators (the Moderators group; superusers count) and, for their own
categories, category moderators reach these pages; the category moderator is not one
of the standard roles, and tests/forum/test_moderation_views.py covers them. Staff who
are not superusers (editors) do not moderate the forum. The one-button actions take
POST only, so a GET answers 405 once signed in; visitors are sent to sign in first.
"""

from django.core.files.base import ContentFile
from django.utils import timezone

from forum.models import (
    AttachmentApproval,
    Category,
    Post,
    PostAttachment,
    ReviewItem,
    ReviewKind,
    Suspension,
    Thread,
)
from members.access_matrix import ROLES  # noqa: F401 (the roles this module answers for)
from network.markup import render_markdown

_PAGE = {"anonymous": 302, "moderator": 200, "staff": 200, "*": 403}
_ACTION = {"anonymous": 302, "*": 405}

EXPECTED: dict[str, dict[str, int]] = {
    "forum:moderation_queue": _PAGE,
    "forum:moderation_item": _PAGE,
    "forum:moderation_item_resolve": _ACTION,
    "forum:moderation_item_note": _ACTION,
    "forum:moderation_post": _PAGE,
    "forum:moderation_post_hide": _ACTION,
    "forum:moderation_post_restore": _ACTION,
    "forum:moderation_post_approve": _ACTION,
    "forum:moderation_post_reject": _ACTION,
    "forum:moderation_post_edit": _PAGE,
    "forum:moderation_post_redact": _PAGE,
    "forum:moderation_image": _PAGE,
    "forum:moderation_image_approve": _ACTION,
    "forum:moderation_image_reject": _ACTION,
    "forum:moderation_attachment_remove": _ACTION,
    "forum:moderation_thread": _PAGE,
    "forum:moderation_thread_lock": _ACTION,
    "forum:moderation_thread_unlock": _ACTION,
    "forum:moderation_thread_pin": _ACTION,
    "forum:moderation_thread_unpin": _ACTION,
    "forum:moderation_thread_hide": _ACTION,
    "forum:moderation_thread_restore": _ACTION,
    "forum:moderation_thread_move": _PAGE,
    "forum:moderation_thread_merge": _PAGE,
    "forum:moderation_suspend": _PAGE,
    "forum:moderation_suspension_lift": _ACTION,
    "forum:moderation_suspensions": _PAGE,
}

# A one-pixel PNG, for the waiting image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63600000000200010de2219b000000"
    "0049454e44ae426082"
)


def url_kwargs(people: dict) -> dict[str, dict]:
    category, _ = Category.objects.get_or_create(
        slug="access-matrix-room", defaults={"name": "Access matrix room"}
    )
    author = people.get("provider_member")
    thread = Thread.objects.create(category=category, title="Access matrix thread", author=author)
    body = "A reply used to check access to the moderation pages."
    post = Post.objects.create(
        thread=thread, post_number=1, author=author, body=body, body_html=render_markdown(body)
    )
    Thread.objects.filter(pk=thread.pk).update(post_number_counter=1)
    item = ReviewItem.objects.create(post=post, kind=ReviewKind.REPORTED)
    image = PostAttachment(
        post=post,
        original_filename="pixel.png",
        content_type="image/png",
        extension="png",
        size_bytes=len(PNG),
        is_image=True,
        approval=AttachmentApproval.PENDING,
    )
    image.file.save("pixel.png", ContentFile(PNG), save=False)
    image.save()
    member = people.get("policy_member") or people.get("registered")
    # Already lifted: a suspension in force would change what this member may do on
    # the other forum pages checked alongside these.
    now = timezone.now()
    suspension = Suspension.objects.create(
        member=member, reason="Access matrix", starts_at=now, lifted_at=now
    )
    by_post = {"pk": post.pk}
    by_thread = {"pk": thread.pk}
    return {
        "forum:moderation_item": {"pk": item.pk},
        "forum:moderation_item_resolve": {"pk": item.pk},
        "forum:moderation_item_note": {"pk": item.pk},
        "forum:moderation_post": by_post,
        "forum:moderation_post_hide": by_post,
        "forum:moderation_post_restore": by_post,
        "forum:moderation_post_approve": by_post,
        "forum:moderation_post_reject": by_post,
        "forum:moderation_post_edit": by_post,
        "forum:moderation_post_redact": by_post,
        "forum:moderation_image": {"pk": image.pk},
        "forum:moderation_image_approve": {"pk": image.pk},
        "forum:moderation_image_reject": {"pk": image.pk},
        "forum:moderation_attachment_remove": {"pk": image.pk},
        "forum:moderation_thread": by_thread,
        "forum:moderation_thread_lock": by_thread,
        "forum:moderation_thread_unlock": by_thread,
        "forum:moderation_thread_pin": by_thread,
        "forum:moderation_thread_unpin": by_thread,
        "forum:moderation_thread_hide": by_thread,
        "forum:moderation_thread_restore": by_thread,
        "forum:moderation_thread_move": by_thread,
        "forum:moderation_thread_merge": by_thread,
        "forum:moderation_suspend": {"pk": member.pk},
        "forum:moderation_suspension_lift": {"pk": suspension.pk},
    }
