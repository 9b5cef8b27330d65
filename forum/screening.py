"""Screening at post time: what is held for review, and what the watch list blocks.

A post is held (nobody but its author and the moderators sees it) when:
- its author is a new member: their first settings.FORUM_NEW_MEMBER_HELD_POSTS posts;
- its category is pre-moderated;
- it matches a watch-list pattern whose action is "hold";
- it quotes a post readers no longer see (hidden, held or removed), found by the post's
  address that every quote carries (forum/quotes.py): a reply form opened with "Quote"
  before a moderator hid the post, or a quote typed or pasted by hand, would otherwise
  publish its words again.
(Images attached to a post wait for a moderator on their own; the post goes up.)
A pattern whose action is "block" refuses the post with the pattern's message, and the
writer keeps what they typed.

The watch list is staff-editable (forum.models.WatchPattern): whole words, wildcards or
regular expressions, all matched in any case. A pattern may add a check done in code
(the NHS number's mod-11 check digit), so that random 10-digit numbers do not count.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from forum import quotes
from forum.models import HoldReason, Post, PostState, ThreadState, WatchPattern
from forum.patterns import CompiledPattern, PatternError, compile_pattern

__all__ = ["compile_pattern", "screen_text"]

# Patterns run on RE2 (forum/patterns.py), in time linear in the text, whatever staff
# type. They are compiled once per process and recompiled when staff change them.
_compiled: dict[tuple[int, str], CompiledPattern] = {}
# Enough matches of one pattern to hold or block a post and to show a moderator what it
# is; a post of thousands of phone numbers would otherwise cost time per match.
MAX_MATCHES_PER_PATTERN = 100


def nhs_number_is_valid(text: str) -> bool:
    """Does this 10-digit number pass the NHS number's modulus-11 check?"""
    digits = [int(c) for c in text if c.isdigit()]
    if len(digits) != 10:
        return False
    total = sum(digit * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == digits[9]


EXTRA_CHECKS = {
    WatchPattern.Check.NHS_NUMBER: nhs_number_is_valid,
}


@dataclass(frozen=True)
class Match:
    pattern: WatchPattern
    start: int
    end: int
    text: str


@dataclass
class Screening:
    """What the watch list found in a text."""

    matches: list[Match] = field(default_factory=list)
    # Posts the text quotes that readers no longer see (quoted_posts_not_shown).
    quoting_not_shown: list[Post] = field(default_factory=list)

    @property
    def blocking(self) -> list[Match]:
        return [m for m in self.matches if m.pattern.action == WatchPattern.Action.BLOCK]

    @property
    def holding(self) -> list[Match]:
        return [m for m in self.matches if m.pattern.action == WatchPattern.Action.HOLD]

    @property
    def block_messages(self) -> list[str]:
        seen: list[str] = []
        for match in self.blocking:
            if match.pattern.message not in seen:
                seen.append(match.pattern.message)
        return seen

    @property
    def patterns(self) -> list[WatchPattern]:
        found: dict[int, WatchPattern] = {}
        for match in self.matches:
            found.setdefault(match.pattern.pk, match.pattern)
        return list(found.values())


def _regex_for(pattern: WatchPattern) -> CompiledPattern | None:
    key = (pattern.pk, f"{pattern.kind}:{pattern.pattern}")
    compiled = _compiled.get(key)
    if compiled is None:
        try:
            compiled = compile_pattern(pattern.kind, pattern.pattern)
        except PatternError:
            return None  # the admin refuses bad patterns; one saved otherwise is skipped
        _compiled[key] = compiled
    return compiled


def active_patterns() -> list[WatchPattern]:
    return list(WatchPattern.objects.filter(is_active=True).order_by("pk"))


def screen_text(text: str, *, patterns: list[WatchPattern] | None = None) -> Screening:
    """Every watch-list match in `text` (titles and bodies alike)."""
    patterns = active_patterns() if patterns is None else patterns
    result = Screening()
    for pattern in patterns:
        regex = _regex_for(pattern)
        if regex is None:
            continue
        extra = EXTRA_CHECKS.get(pattern.extra_check)
        found = 0
        for hit in regex.finditer(text or ""):
            if extra is not None and not extra(hit.text):
                continue
            result.matches.append(Match(pattern, hit.start, hit.end, hit.text))
            found += 1
            if found >= MAX_MATCHES_PER_PATTERN:
                break
    result.matches.sort(key=lambda m: (m.start, -m.end))
    return result


def highlight_spans(text: str, screening: Screening) -> list[tuple[str, bool]]:
    """`text` cut into (piece, matched) pairs, so a template can mark the matches."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in screening.matches:
        if match.start < position:
            continue  # overlapping matches: the first one wins
        if match.start > position:
            pieces.append((text[position : match.start], False))
        pieces.append((text[match.start : match.end], True))
        position = match.end
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def is_new_member(user) -> bool:
    """Are this person's next posts among their first FORUM_NEW_MEMBER_HELD_POSTS?

    Counts posts that went up: visible now, or up at once when written (hidden or removed
    since). Held posts still waiting do not make a member less new, nor do held posts a
    moderator refused or their author deleted while they waited: else three posts deleted
    before review would let the fourth go up unread.
    """
    limit = settings.FORUM_NEW_MEMBER_HELD_POSTS
    if limit <= 0:
        return False
    accepted = (
        Post.objects.filter(author=user)
        .exclude(state=PostState.HELD)
        .filter(Q(state=PostState.VISIBLE) | Q(hold_reason=""))
        .order_by()[:limit]
    )
    return accepted.count() < limit


def hold_reason_for(*, author, category, screening: Screening) -> str:
    """Why a new post must wait for a moderator, or "" when it may go up at once.

    Moderators' own posts are never held. The most specific reason wins: a quote of a
    post taken down first (its words were judged already), then a watch-list match,
    which tells the moderator what to look at.
    """
    from forum import access

    if access.is_category_moderator(author, category):
        return ""
    if screening.quoting_not_shown:
        return HoldReason.QUOTES_NOT_SHOWN
    if screening.holding:
        return HoldReason.WATCH_LIST
    if category.is_premoderated:
        return HoldReason.PREMODERATED
    if is_new_member(author):
        return HoldReason.NEW_MEMBER
    return ""


# --- Quotes of posts readers no longer see ----------------------------------------------


def _not_shown(post: Post) -> bool:
    return post.state != PostState.VISIBLE or post.thread.state != ThreadState.VISIBLE


def _not_shown_to_readers(quoted: list[Post], *, thread_id: int | None) -> list[Post]:
    # A post of the writer's own thread counts by its own state only (see below).
    return [
        post
        for post in quoted
        if _not_shown(post)
        and not (post.state == PostState.VISIBLE and post.thread_id == thread_id)
    ]


def quoted_posts_not_shown(
    text: str, *, thread_id: int | None = None, exclude_pk: int | None = None
) -> list[Post]:
    """The posts `text` (written in thread `thread_id`, None for a new thread) quotes
    (forum/quotes.py decides which) that readers no longer see: held, hidden or removed,
    or in a thread that is not shown. A post of the writer's own thread counts by its
    own state only: while that thread waits for review, the reply waits with it and
    shows only when its posts do. `exclude_pk`: the post being edited, which may name
    itself."""
    return _not_shown_to_readers(
        quotes.quoted_posts(text, exclude_pk=exclude_pk), thread_id=thread_id
    )


def quotes_not_shown(posts: Iterable[Post]) -> dict[int, list[Post]]:
    """quoted_posts_not_shown of each post (by pk), for a page of them in two queries."""
    posts = list(posts)
    quoted = quotes.quoted_posts_of({post.pk: post.body for post in posts})
    return {
        post.pk: _not_shown_to_readers(quoted[post.pk], thread_id=post.thread_id) for post in posts
    }
