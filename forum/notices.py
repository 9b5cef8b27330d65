"""What the forum says after an action on one post, said at that post.

After reporting, bookmarking, replying or editing, the reader goes back to the post
itself (`#post-N`). On a long thread that is thousands of pixels below the site's
messages at the top of the page, so on a phone nothing seemed to have happened. A
message tagged with its post is shown inside that post instead, where the browser
scrolls to; one whose post is not on the page is shown at the top, as any other.
"""

from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest

from forum.models import Post

TAG_PREFIX = "at-post-"


def post_notice(request: HttpRequest, level: int, text: str, post: Post) -> None:
    """Say `text` at `post` on the next thread page that shows it."""
    messages.add_message(request, level, text, extra_tags=f"{TAG_PREFIX}{post.pk}")


def _post_pk(message: Message) -> int | None:
    for tag in (message.extra_tags or "").split():
        if tag.startswith(TAG_PREFIX) and tag[len(TAG_PREFIX) :].isdigit():
            return int(tag[len(TAG_PREFIX) :])
    return None


def notices_place(request: HttpRequest, posts: list[Post]) -> list[Message]:
    """Give each post of the page the notices said at it (`post.notices`); return the
    messages left for the top of the page."""
    on_page = {post.pk: post for post in posts}
    for post in posts:
        post.notices = []
    left = []
    for message in messages.get_messages(request):
        post = on_page.get(_post_pk(message))
        if post is None:
            left.append(message)
        else:
            post.notices.append(message)
    return left
