"""Which posts a text quotes, found by the address every quote carries.

The reply form's Quote link writes "[wrote](/forum/t/7/p/3/)", but members also type or
paste a quote by hand with whatever address they copied: absolute or relative, with or
without its last slash, in a link or bare, or the thread page's address at the post
("/forum/t/7/settling-in/?page=2#post-23"). A merge moves a thread's posts into another,
numbered on, and quotes written before it name them by their old thread and number.

Screening (which holds a reply quoting a post readers no longer see), the quoted
author's notification and the review queue's lists of what a post quotes and where it is
quoted all decide here, so what one of them counts as a quote the others count too. A bare
link to a post counts among them (it points readers at the post just the same), but its
author is told of a link, not of a quote (places_in_quotes).
Addresses are found with RE2 (google-re2, as forum/patterns.py explains), in time linear
in the text.
"""

import re
from collections.abc import Iterable

import re2
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Q, Value

from forum import selectors
from forum.models import (
    ModerationAction,
    ModerationActionKind,
    Post,
    PostRevision,
    PostState,
    Thread,
    ThreadState,
)
from network.markup import MARKUP_RENDERER_VERSION, markdown_to_text, render_markdown

# Who wrote a post whose author's account was erased: in the thread, in the quote the
# Quote link writes of it, and in the quotes of it that others wrote before the erasure.
FORMER_MEMBER = "A former member"

# Posts read and rewritten at a time when an erased author's name leaves others' quotes:
# a large forum is never held in memory, nor locked in one long statement.
QUOTE_ERASURE_BATCH = 500

# (thread id, post number): a post's place, as an address names it or where it is now.
Place = tuple[int, int]

# The permanent address "/forum/t/7/p/3/", or the thread page's "/forum/t/7/<slug>/"
# (its "?page=" optional) at the post's anchor "#post-3". Greedy digits take the whole
# number, so "/forum/t/7/p/31" never names post 3.
POST_ADDRESS = re2.compile(
    r"/forum/t/(\d+)/"
    r"(?:p/(\d+)"
    r"|(?:[^\s/?#()\[\]<>\"']+/?)?(?:\?[^\s#()\[\]<>\"']*)?#post-(\d+))"
)


def quoted_places(text: str) -> set[Place]:
    """(thread id, post number) of every post `text` names by an address, as written."""
    return {
        (int(thread), int(number or anchor))
        for thread, number, anchor in POST_ADDRESS.findall(text or "")
    }


def places_in_quotes(text: str) -> set[Place]:
    """The places `text` names in a quote rather than only links to: on a line of a
    quote block ("> **Grace** [wrote](/forum/t/7/p/3/):", as the Quote link writes it),
    or on the line leading into one ("Grace wrote at /forum/t/7/p/3/:" then "> ...")."""
    lines = (text or "").splitlines()
    places: set[Place] = set()
    for index, line in enumerate(lines):
        named = quoted_places(line)
        if not named:
            continue
        following = next((later for later in lines[index + 1 :] if later.strip()), "")
        if line.lstrip().startswith(">") or following.lstrip().startswith(">"):
            places |= named
    return places


def posts_in_quotes(text: str, posts: Iterable[Post]) -> set[int]:
    """Of `posts` (which `text` names: quoted_posts), the pks of those it quotes; the
    rest it only links to. One query (to follow merges) when it quotes any, else none."""
    named = places_in_quotes(text)
    now_at = set(places_now(named).values()) if named else set()
    return {post.pk for post in posts if (post.thread_id, post.post_number) in now_at}


def places_now(places: set[Place]) -> dict[Place, Place]:
    """Each place as written to where its post is now, following merges. One query, and
    one lookup per merged thread named."""
    moved = {
        thread.pk: selectors.merged_post_location(thread, 0)
        for thread in Thread.objects.filter(
            pk__in={thread_id for thread_id, _ in places}, merged_into__isnull=False
        ).only("pk", "merged_into")
    }
    now_at = {}
    for thread_id, number in places:
        into, offset = moved.get(thread_id, (thread_id, 0))
        now_at[(thread_id, number)] = (into, number + offset)
    return now_at


def _posts_at(places: Iterable[Place]) -> dict[Place, Post]:
    places = set(places)
    if not places:
        return {}
    posts = (
        Post.objects.filter(
            thread_id__in={thread_id for thread_id, _ in places},
            post_number__in={number for _, number in places},
        )
        .select_related("thread")
        .only(
            "pk",
            "thread_id",
            "post_number",
            "state",
            "author",
            "thread__state",
            "thread__title",
        )
    )
    return {(post.thread_id, post.post_number): post for post in posts}


def quoted_posts_of(texts: dict[int, str]) -> dict[int, list[Post]]:
    """For each text (by key: a post's pk, say), the posts it quotes, in the order of
    where they are now, each once; a post's own address in its text is left out when the
    key is its pk. Two queries for all of them (and one per merged thread named)."""
    written = {key: quoted_places(text) for key, text in texts.items()}
    now_at = places_now(set().union(*written.values()))
    found = _posts_at(now_at.values())
    quoted: dict[int, list[Post]] = {}
    for key, places in written.items():
        here = sorted({now_at[place] for place in places if now_at[place] in found})
        quoted[key] = [found[place] for place in here if found[place].pk != key]
    return quoted


def quoted_posts(text: str, *, exclude_pk: int | None = None) -> list[Post]:
    """The posts `text` quotes (any state). `exclude_pk`: the post the text is, which
    may name itself."""
    return quoted_posts_of({exclude_pk if exclude_pk is not None else 0: text}).popitem()[1]


# --- Where a post is quoted ------------------------------------------------------------------


def _merged_in(thread_ids: set[int]) -> dict[int, list[tuple[int, int]]]:
    """For each thread, the threads merged into it (at any depth) with the offset that
    turns their post numbers into its own: the reverse of places_now."""
    found: dict[int, list[tuple[int, int]]] = {pk: [] for pk in thread_ids}
    # (thread merged in, the thread it ended up in, offset so far), one level at a time.
    level = [(pk, pk, 0) for pk in thread_ids]
    seen = set(thread_ids)
    while level:
        merged = {
            thread.pk: thread.merged_into_id
            for thread in Thread.objects.filter(merged_into__in={pk for pk, _, _ in level}).only(
                "pk", "merged_into"
            )
            if thread.pk not in seen
        }
        if not merged:
            break
        offsets = {}
        for action in ModerationAction.objects.filter(
            thread_id__in=merged, action=ModerationActionKind.MERGE
        ).order_by("pk"):
            offsets[action.thread_id] = int((action.details or {}).get("number_offset", 0))
        into_of = {pk: (top, offset) for pk, top, offset in level}
        level = []
        for pk, into in merged.items():
            top, offset = into_of[into]
            total = offset + offsets.get(pk, 0)
            found[top].append((pk, total))
            level.append((pk, top, total))
            seen.add(pk)
    return found


def quoting_posts(posts: Iterable[Post]) -> dict[int, list[Post]]:
    """For each post (by pk), the posts readers see that quote it, in any thread. Hiding a
    post leaves its words in their quotes, so whoever decides on it sees where else they
    stand. The database finds the posts that may name it; quoted_posts_of decides."""
    posts = list(posts)
    found: dict[int, list[Post]] = {post.pk: [] for post in posts}
    if not posts:
        return found
    merged_in = _merged_in({post.thread_id for post in posts})
    names = Q()
    for post in posts:
        for thread_id, offset in [(post.thread_id, 0), *merged_in[post.thread_id]]:
            number = post.post_number - offset
            if number < 1:
                continue
            names |= Q(body__contains=f"/forum/t/{thread_id}/p/{number}")
            names |= Q(body__contains=f"/forum/t/{thread_id}/") & Q(
                body__contains=f"#post-{number}"
            )
    # A quote is written after the post it quotes, or is an earlier post of the same
    # thread edited since. Saying so lets the database read only the newer posts and the
    # thread's own (two index ranges) rather than test the words of every post there is.
    written_where = Q(pk__gt=min(post.pk for post in posts)) | Q(
        thread_id__in={post.thread_id for post in posts}
    )
    candidates = list(
        Post.objects.filter(
            written_where, names, state=PostState.VISIBLE, thread__state=ThreadState.VISIBLE
        )
        .select_related("thread")
        .only("pk", "thread_id", "post_number", "body", "thread__title")
        .order_by("thread_id", "post_number")
    )
    quoted = quoted_posts_of({other.pk: other.body for other in candidates})
    for other in candidates:
        for post in quoted[other.pk]:
            if post.pk in found:
                found[post.pk].append(other)
    return found


# --- An erased author's name in others' quotes -----------------------------------------------


def _lines_naming(text: str, places: set[Place], now_at: dict[Place, Place]) -> list[int]:
    """The indexes of `text`'s lines that lead a quote (places_in_quotes) of a post now at
    one of `places`."""
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        named = quoted_places(line)
        if not named or not {now_at.get(place, place) for place in named} & places:
            continue
        following = next((later for later in lines[index + 1 :] if later.strip()), "")
        if line.lstrip().startswith(">") or following.lstrip().startswith(">"):
            found.append(index)
    return found


def _forget_in(rows, name: re.Pattern, places: set[Place]) -> list:
    """Of `rows` (posts or revisions, with a body), those whose quote headers named the
    author, with the name put out of them; nothing else in the text changes."""
    written = {row.pk: quoted_places(row.body) for row in rows}
    now_at = places_now(set().union(*written.values())) if written else {}
    changed = []
    for row in rows:
        lines = row.body.splitlines(keepends=True)
        naming = _lines_naming(row.body, places, now_at)
        for index in naming:
            lines[index] = name.sub(FORMER_MEMBER, lines[index])
        body = "".join(lines)
        if body != row.body:
            row.body = body
            changed.append(row)
    return changed


def quoted_author_forget(*, author, name: str) -> int:
    """Put FORMER_MEMBER in place of `name` where others' posts (and their earlier
    versions) say whom they quote, for quotes of `author`'s posts: their erasure shows
    their own posts as "A former member"'s, and the header over a quote of one
    ("> **Grace Shah** [wrote](/forum/t/7/p/3/):", or "Grace Shah wrote at ...:") would
    still name them. Only that header line changes. The quoted words stay: they are part
    of the quoting post, which is its own author's, not the erased person's (who chose
    what becomes of their own posts' text). Runs before the author's posts lose their
    author. Reads and writes a batch of posts at a time; returns how many posts changed."""
    name = name.strip()
    if not name:
        return 0
    places = set(Post.objects.filter(author=author).values_list("thread_id", "post_number"))
    if not places:
        return 0
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
    changed = 0
    for model in (Post, PostRevision):
        # The database finds the texts that hold the name and an address at all.
        candidates = model.objects.filter(body__icontains=name, body__contains="/forum/t/")
        if model is Post:
            candidates = candidates.exclude(author=author)
        else:
            candidates = candidates.exclude(post__author=author)
        last = 0
        while True:
            rows = list(
                candidates.filter(pk__gt=last)
                .only("pk", "body")
                .order_by("pk")[:QUOTE_ERASURE_BATCH]
            )
            if not rows:
                break
            last = rows[-1].pk
            rewritten = _forget_in(rows, pattern, places)
            if model is Post:
                for post in rewritten:
                    post.body_html = render_markdown(post.body)
                    post.renderer_version = MARKUP_RENDERER_VERSION
                Post.objects.bulk_update(rewritten, ["body", "body_html", "renderer_version"])
                if connection.vendor == "postgresql":
                    for post in rewritten:
                        Post.objects.filter(pk=post.pk).update(
                            search_vector=SearchVector(
                                Value(markdown_to_text(post.body)), weight="B", config="english"
                            )
                        )
                changed += len(rewritten)
            else:
                PostRevision.objects.bulk_update(rewritten, ["body"])
    return changed
