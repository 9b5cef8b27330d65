"""Each post of a thread page, rendered once per what it shows and kept in the cache.

A thread page is read far more often than it changes, and most readers see a post the
same way (not its author, not a moderator). The HTML of a post depends only on what its
template reads: the post's fields, its author's name and title, its attachments, the
reader's rights on it (edit, delete, report, react), their marks (helpful, bookmarked),
the page it is on and the template itself. The cache key is a digest of exactly those
values, so a change to any of them (an edit, a moderator's decision, a new helpful
mark, a renamed author, a new release) asks for a different key, and nothing kept can
be shown stale: there is nothing to invalidate. The CSRF token of the post's forms is
the reader's own: the kept HTML holds a placeholder, filled in per response.

Moderators' pages are rendered as they are: their tools read more than this key holds.
"""

import hashlib
from functools import cache as once

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from forum.models import Post
from network.templatetags.dates import iso_time, post_time

POST_TEMPLATE = "forum/includes/post.html"
# A character that never occurs in a rendered post (no field that ends up here can hold a
# NUL), standing where each reader's own CSRF token goes.
CSRF_TOKEN_PLACEHOLDER = "\x00csrf-token\x00"
# Long enough to serve a thread's readers; short, since every change is a new key.
KEPT_SECONDS = 60 * 60


@once
def _template_digest() -> str:
    """Names the post template's source: a release that changes it asks for new keys."""
    source = get_template(POST_TEMPLATE).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _shown(post: Post, *, here: str, can_reply: bool) -> tuple:
    """Every value the post template reads, in a fixed order."""
    author = post.author
    return (
        post.pk,
        post.state,
        post.hidden_by_reports,
        post.hold_reason,
        post.number,
        str(author) if author else None,
        author.job_title if author else None,
        author.organisation_name if author else None,
        tuple(sorted(post.links.items())),
        iso_time(post.created_at),
        post_time(post.created_at),
        bool(post.edited_at),
        post.show_body,
        post.body_html,
        post.edit_reason,
        tuple(
            (item.pk, item.is_image, item.approval, item.original_filename, item.size_bytes)
            for item in post.visible_attachments
        ),
        post.can_react,
        post.is_helpful,
        post.helpful_count,
        post.is_kept,
        post.can_report,
        post.can_edit,
        post.can_delete,
        can_reply,
        here,
    )


def _key(shown: tuple) -> str:
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return f"forum:post-html:{_template_digest()}:{digest}"


def posts_html(request, posts: list[Post], *, here: str, can_reply: bool) -> list[SafeString]:
    """The HTML of each post for this reader (not a moderator), from the cache where
    kept, the others rendered and kept."""
    keys = [_key(_shown(post, here=here, can_reply=can_reply)) for post in posts]
    kept = cache.get_many(keys)
    missing = {}
    template = get_template(POST_TEMPLATE)
    for post, key in zip(posts, keys, strict=True):
        if key not in kept:
            context = {
                "post": post,
                "is_moderator": False,
                "can_reply": can_reply,
                "here": here,
                "csrf_token": CSRF_TOKEN_PLACEHOLDER,
            }
            missing[key] = template.render(context)
    if missing:
        cache.set_many(missing, timeout=KEPT_SECONDS)
        kept.update(missing)
    token = get_token(request)
    # The token is Django's own masked form: letters and digits only, safe in HTML.
    return [mark_safe(kept[key].replace(CSRF_TOKEN_PLACEHOLDER, token)) for key in keys]
