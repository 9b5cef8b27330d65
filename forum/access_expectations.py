"""What each role gets from each forum URL (the project-wide access-matrix test).

The category used is open to every member type for reading and posting, and closed to
registered non-members: for them (and lapsed members) its category pages and files
answer 404, the same as a category that does not exist, so its name never leaks; its
thread and post pages answer 403 with the way to join or renew, and nothing of the
thread (forum.access.reading_refusal). The thread and post are the
provider member's (so only they may edit it, and they may not report it); moderators
(and superusers) edit anyone's post; editors, staff accounts without moderation, read
and post everywhere but edit only their own. POST-only URLs answer 405
to a GET. The unsubscribe link works without signing in: its token is the credential.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from forum import notifications
from forum.models import Category, Notification, ThreadReadState
from forum.moderation import access_expectations as _moderation
from forum.services import posting, publishing
from members.access_matrix import ROLES  # noqa: F401 (the roles this module answers for)

_READERS = {"anonymous": 302, "registered": 404, "lapsed": 404}
_THREAD_READERS = {"anonymous": 302, "registered": 403, "lapsed": 403}

EXPECTED: dict[str, dict[str, int]] = {
    "forum:index": {"anonymous": 302, "*": 200},
    "forum:search": {"anonymous": 302, "*": 200},
    "forum:notifications": {"anonymous": 302, "*": 200},
    "forum:notifications_read": {"*": 302},
    "forum:notification_open": {"anonymous": 302, "commissioner_member": 302, "*": 404},
    "forum:bookmarks": {"anonymous": 302, "*": 200},
    "forum:preferences": {"anonymous": 302, "*": 200},
    "forum:unsubscribe": {"*": 200},
    "forum:category": {**_READERS, "*": 200},
    "forum:thread_create": {**_READERS, "*": 200},
    "forum:category_mark_read": {"anonymous": 302, "*": 405},
    "forum:category_follow": {"anonymous": 302, "*": 405},
    "forum:thread": {**_THREAD_READERS, "*": 200},
    "forum:thread_short": {**_THREAD_READERS, "*": 302},
    "forum:reply": {**_THREAD_READERS, "*": 200},
    "forum:first_unread": {**_THREAD_READERS, "*": 302},
    "forum:thread_follow": {"anonymous": 302, "*": 405},
    "forum:post": {**_THREAD_READERS, "*": 302},
    "forum:post_edit": {
        **_THREAD_READERS,
        "provider_member": 200,
        "moderator": 200,
        "staff": 200,
        "*": 403,
    },
    "forum:post_delete": {"anonymous": 302, "*": 405},
    "forum:post_helpful": {"anonymous": 302, "*": 405},
    "forum:post_bookmark": {"anonymous": 302, "*": 405},
    "forum:post_report": {**_THREAD_READERS, "provider_member": 403, "*": 200},
    "forum:attachment": {**_READERS, "*": 200},
}
# The commissioners-only room: commissioners, and those who read every room (moderators,
# staff, editors as staff accounts); every other member answers 404 like a room that
# does not exist, including a policy member whose own profile says commissioner.
_COMMISSIONERS = {
    "anonymous": 302,
    "commissioner_member": 200,
    "moderator": 200,
    "editor": 200,
    "staff": 200,
    "*": 404,
}
EXPECTED.update(
    {
        "forum:category[commissioners]": _COMMISSIONERS,
        "forum:thread_create[commissioners]": _COMMISSIONERS,
        "forum:thread[commissioners]": _COMMISSIONERS,
        "forum:reply[commissioners]": _COMMISSIONERS,
        "forum:attachment[commissioners]": _COMMISSIONERS,
    }
)
EXPECTED.update(_moderation.EXPECTED)

CSV = b"home,places\nFictional House,4\n"


def url_kwargs(people: dict) -> dict[str, dict]:
    category, _ = Category.objects.get_or_create(
        slug="access-matrix-room",
        defaults={"name": "Access matrix room", "registered_may_read": False},
    )
    author = people["provider_member"]
    post = posting.thread_create(
        author=author,
        category=category,
        title="Access matrix: sharing a placement review template",
        body="A template we use for placement reviews.",
        attachments=[SimpleUploadedFile("review.csv", CSV, content_type="text/csv")],
        confirmed_child_safety=True,
    )
    if post.state != "visible":
        publishing.post_publish(post=post, actor=None)
    thread = post.thread
    ThreadReadState.objects.filter(thread=thread).delete()
    notice_to = people.get("commissioner_member") or author
    note = Notification.objects.create(
        recipient=notice_to, kind="reply", thread=thread, post=post, actor=author
    )
    commissioners = _commissioners_thread(people)
    return {
        "forum:category[commissioners]": {"slug": commissioners.category.slug},
        "forum:thread_create[commissioners]": {"slug": commissioners.category.slug},
        "forum:thread[commissioners]": {"pk": commissioners.pk, "slug": commissioners.slug},
        "forum:reply[commissioners]": {"pk": commissioners.pk},
        "forum:attachment[commissioners]": {"pk": commissioners.posts.get().attachments.get().pk},
        "forum:notification_open": {"pk": note.pk},
        "forum:unsubscribe": {"token": notifications.unsubscribe_token(author, thread)},
        "forum:category": {"slug": category.slug},
        "forum:thread_create": {"slug": category.slug},
        "forum:category_mark_read": {"slug": category.slug},
        "forum:category_follow": {"slug": category.slug},
        "forum:thread": {"pk": thread.pk, "slug": thread.slug},
        "forum:thread_short": {"pk": thread.pk},
        "forum:reply": {"pk": thread.pk},
        "forum:first_unread": {"pk": thread.pk},
        "forum:thread_follow": {"pk": thread.pk},
        "forum:post": {"thread_pk": thread.pk, "post_number": 1},
        "forum:post_edit": {"pk": post.pk},
        "forum:post_delete": {"pk": post.pk},
        "forum:post_helpful": {"pk": post.pk},
        "forum:post_bookmark": {"pk": post.pk},
        "forum:post_report": {"pk": post.pk},
        "forum:attachment": {"pk": post.attachments.get().pk},
        **_moderation.url_kwargs(people),
    }


def _commissioners_thread(people: dict):
    """A thread with an attachment in a room only commissioners read and post in."""
    category, _ = Category.objects.get_or_create(
        slug="access-matrix-commissioners",
        defaults={
            "name": "Access matrix: commissioners only",
            "registered_may_read": False,
            "providers_may_read": False,
            "providers_may_post": False,
            "policy_may_read": False,
            "policy_may_post": False,
        },
    )
    post = posting.thread_create(
        author=people["commissioner_member"],
        category=category,
        title="Access matrix: framework contract renewal notes",
        body="Notes from the regional commissioning group.",
        attachments=[SimpleUploadedFile("notes.csv", CSV, content_type="text/csv")],
        confirmed_child_safety=True,
    )
    if post.state != "visible":
        publishing.post_publish(post=post, actor=None)
    return post.thread
