"""Redaction: taking text out of a post for good, with the revisions that held it."""

import difflib
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from forum.models import (
    ModerationActionKind,
    Post,
    PostRevision,
    Report,
    ReviewNote,
    Thread,
    content_hash,
)
from forum.moderation.actions import body_rewrite
from forum.moderation.checks import (
    check_moderates,
    clean_reason,
    locked_post,
)
from forum.services import posting
from forum.services.audit import audit_record
from forum.services.publishing import (
    thread_search_index,
)

_WORD = re.compile(r"\w+", re.UNICODE)


def removed_words(before: str, after: str) -> set[str]:
    """The words of `before` that a redaction took out (lower case): words in the deleted
    or replaced stretches that appear nowhere in `after`."""
    old = _WORD.findall(before.lower())
    new = _WORD.findall(after.lower())
    kept = set(new)
    removed: set[str] = set()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed.update(word for word in old[i1:i2] if word not in kept)
    return removed


# English function words. A redaction takes them out with a name ("Sam, who lives at
# ...") but they identify nobody: earlier revisions that hold them are still purged, to
# be sure, but they are not struck out of moderators' records, where "[redacted]" for
# every "at" would leave the records unreadable, nor looked for in other posts, where
# they would flag every post of the thread.
COMMON_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves""".split()  # noqa: SIM905 (reads as prose)
)


def telling_words(words: set[str]) -> set[str]:
    """The removed words that could say who someone is: not the common function words."""
    return {word for word in words if word not in COMMON_WORDS}


def _holds_any(text: str, words: set[str]) -> bool:
    return bool(words.intersection(_WORD.findall(text.lower())))


REDACTED = "[redacted]"


def scrub(text: str, words: set[str]) -> str:
    """`text` with every one of `words` (any case) replaced by "[redacted]"."""
    return _WORD.sub(lambda m: REDACTED if m.group(0).lower() in words else m.group(0), text)


def _scrub_moderation_records(post: Post, words: set[str]) -> int:
    """Reports of the post and moderators' notes on it may quote what was taken out:
    the removed words go from them too (the reports themselves stay)."""
    changed = 0
    for report in Report.objects.filter(post=post).exclude(details="").only("pk", "details"):
        if _holds_any(report.details, words):
            report.details = scrub(report.details, words)
            report.save(update_fields=["details"])
            changed += 1
    for note in ReviewNote.objects.filter(item__post=post).only("pk", "text"):
        if _holds_any(note.text, words):
            note.text = scrub(note.text, words)
            note.save(update_fields=["text"])
            changed += 1
    return changed


@dataclass
class Redaction:
    post: Post
    revisions_purged: int
    # Other posts of the thread that still hold a removed word (quotes, usually).
    posts_still_holding: list[Post] = field(default_factory=list)


def post_redact(
    *,
    actor,
    post: Post,
    body: str,
    reason: str,
    purge_all_revisions: bool = False,
    title: str | None = None,
    based_on: str | None = None,
) -> Redaction:
    """Take text out of a post for good: the new text replaces it, every earlier revision
    that held a removed word is deleted (all of them with `purge_all_revisions`), no
    revision of the removed text is kept, the HTML is rendered again and the search
    vector rebuilt. For an opening post, `title` replaces the thread's title (and the
    words in its address) too. The audit log keeps hashes only."""
    check_moderates(actor, post.thread.category)
    check_not_redacting_own(actor, post)
    body = posting.clean_body(body)
    reason = clean_reason(
        reason, required=True, what="Give a reason: readers see it under the post."
    )
    with transaction.atomic(durable=True):
        post = locked_post(post)
        posting.check_unchanged_since(post.body, based_on)
        thread = post.thread
        new_title = _redacted_title(thread, post, title)
        if body == post.body and new_title is None:
            raise ValidationError("The text is unchanged: take out what must go.", code="unchanged")
        words = removed_words(post.body, body)
        if new_title is not None:
            words |= removed_words(thread.title, new_title)
        if not words and not purge_all_revisions:
            raise ValidationError(
                "Nothing was taken out. To change wording only, edit the post instead.",
                code="nothing_removed",
            )
        before = content_hash(post.body)
        details = {"all_revisions": purge_all_revisions}
        revisions = PostRevision.objects.filter(post=post)
        if not purge_all_revisions:
            holding = [r.pk for r in revisions.only("pk", "body") if _holds_any(r.body, words)]
            revisions = revisions.filter(pk__in=holding)
        purged, _ = revisions.delete()
        details["revisions_purged"] = purged
        if new_title is not None:
            details["title_hash_before"] = content_hash(thread.title)
            details["title_hash_after"] = content_hash(new_title)
            thread.title = new_title
            thread.slug = slugify(new_title)[:200] or "thread"
            thread.save(update_fields=["title", "slug"])
            thread_search_index(thread)
        if body != post.body:
            body_rewrite(post, actor=actor, body=body, reason=reason)
        telling = telling_words(words)
        if telling:
            details["records_scrubbed"] = _scrub_moderation_records(post, telling)
        audit_record(
            actor=actor,
            action=ModerationActionKind.REDACT,
            post=post,
            reason=reason,
            hash_before=before,
            hash_after=content_hash(body),
            details=details,
        )
        others = [
            other
            for other in Post.objects.filter(thread_id=post.thread_id)
            .exclude(pk=post.pk)
            .only("pk", "post_number", "body", "thread_id")
            .iterator()
            if telling and _holds_any(other.body, telling)
        ]
    return Redaction(post=post, revisions_purged=purged, posts_still_holding=others)


def check_not_redacting_own(actor, post: Post) -> None:
    """A redaction deletes the earlier versions of a post and the log keeps only
    fingerprints: done to one's own post, it would erase the record of what a moderator
    wrote, perhaps while members' reports about it wait. Another moderator redacts it;
    its author may hide it meanwhile."""
    if post.author_id is not None and post.author_id == actor.pk:
        raise ValidationError(
            "Another moderator redacts your own post, as redacting deletes its earlier "
            "versions: hide it meanwhile if it must not be seen.",
            code="own",
        )


def _redacted_title(thread: Thread, post: Post, title: str | None) -> str | None:
    """The thread's new title when a redaction of its opening post changes it, else None."""
    if title is None or post.post_number != 1:
        return None
    title = " ".join(title.split())
    if not title:
        raise ValidationError("The thread needs a title.", code="title")
    if len(title) > 200:
        raise ValidationError("Keep the title to 200 characters.", code="title")
    return None if title == thread.title else title
