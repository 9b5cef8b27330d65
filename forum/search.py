"""Forum search at /forum/search/?q=.

Results are threads: those whose title matches or which hold a matching visible post,
in categories the person may read (readable_categories_q, the rule of every listing),
listed and visible. Held, hidden and removed posts never match, so no title, count or
snippet reveals what a person may not see.

PostgreSQL: the stored, GIN-indexed vectors on thread titles (weight A) and post bodies
(B), `websearch_to_tsquery`; title matches first, then by latest activity; a snippet
from ts_headline of the best-ranked of the first matching posts of each thread on the
page.
SQLite (the embedded default): every word must appear in the title or a post.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Subquery

from forum import access
from forum.models import Post, PostState, Thread, ThreadState
from network import search_text
from network.search_text import (
    HIGHLIGHT_START,
    HIGHLIGHT_STOP,
    has_words,
    is_common,
    marked,
    marked_extract,
    searched_words,
)

RESULTS_PER_PAGE = 20


@dataclass
class Result:
    thread: Thread
    snippet_html: str
    post_number: int | None


def query_bound(q: str) -> tuple[str, str]:
    """The search as it will run, and a notice for the page when it was cut ("" if not).

    At most FORUM_SEARCH_MAX_TERMS words and FORUM_SEARCH_MAX_CHARS characters: a quoted
    phrase of 99 words took 2.7 s, as PostgreSQL matches each word at its distance from
    the others. A phrase cut in the middle is closed again, so it stays a phrase. A
    search without a word (network.search_text.has_words) is no search: "".
    """
    q = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", q or "").split())
    notice = ""
    max_terms = settings.FORUM_SEARCH_MAX_TERMS
    words = q.split(" ") if q else []
    if len(words) > max_terms:
        q = " ".join(words[:max_terms])
        notice = f"Only the first {max_terms} words were searched."
    max_chars = settings.FORUM_SEARCH_MAX_CHARS
    if len(q) > max_chars:
        cut = q[: max_chars + 1]
        q = cut.rsplit(" ", 1)[0] if " " in cut else cut[:max_chars]
        notice = notice or f"Only the first {max_chars} characters were searched."
    q = q.strip()
    if q.count('"') % 2:
        q = q[:-1].rstrip() if q.endswith('"') else q + '"'
    if not has_words(q):
        return "", ""
    return q, notice


def _clean(q: str) -> str:
    return query_bound(q)[0]


def only_common_words(q: str) -> bool:
    """Whether a search that found nothing holds only words too common to search on."""
    return search_text.only_common_words(searched_words(_clean(q)))


def _threads_for(user):
    return Thread.objects.filter(
        access.readable_categories_q(user, prefix="category__"),
        state=ThreadState.VISIBLE,
        merged_into__isnull=True,
    ).select_related("category", "last_post_author")


def search(user, q: str, *, page: int = 1) -> tuple[list[Result], bool]:
    """One page of results and whether there is a next page."""
    q = searched_words(_clean(q))
    if not q:
        return [], False
    offset = (page - 1) * RESULTS_PER_PAGE
    if connection.vendor == "postgresql":
        results = _search_postgresql(user, q, offset)
    else:
        results = _search_simple(user, q, offset)
    return results[:RESULTS_PER_PAGE], len(results) > RESULTS_PER_PAGE


def _search_postgresql(user, q: str, offset: int) -> list[Result]:
    """Threads whose title matches, best-ranked first, then threads holding a matching
    visible post, latest activity first; RESULTS_PER_PAGE + 1 of them from `offset`.

    The two lists are asked for apart so that each can stop early: titles through the
    GIN index on thread titles, stopping once the page is full; then threads in order of
    activity, where PostgreSQL either walks the newest threads and probes each one's
    posts (a common word: a few probes fill the page) or starts from the GIN index on
    posts (a rare word), as its statistics say. One query that ranked titles and
    matched posts together had to test every readable thread first: 57 ms at 200,000
    posts for a word in most threads."""
    query = SearchQuery(q, search_type="websearch", config="english")
    wanted = RESULTS_PER_PAGE + 1
    readable = _threads_for(user)
    title_ids = list(
        readable.filter(search_vector=query)
        .annotate(title_rank=SearchRank(F("search_vector"), query))
        .order_by("-title_rank", "-last_post_at", "-id")
        .values_list("pk", flat=True)[: offset + wanted]
    )
    page_title_ids = title_ids[offset:]
    threads_by_title = {t.pk: t for t in readable.filter(pk__in=page_title_ids)}
    threads = [threads_by_title[pk] for pk in page_title_ids if pk in threads_by_title]
    if len(title_ids) < offset + wanted:
        # Every title match is known: the page goes on with threads matched by a post.
        matched_by_post = Post.objects.filter(state=PostState.VISIBLE, search_vector=query)
        threads += list(
            readable.exclude(pk__in=title_ids)
            .filter(pk__in=matched_by_post.values("thread_id"))
            .order_by("-last_post_at", "-id")[
                max(0, offset - len(title_ids)) : max(0, offset - len(title_ids))
                + wanted
                - len(threads)
            ]
        )
    if not threads:
        return []
    found = _snippets(query, [t.pk for t in threads])
    return [
        Result(
            t,
            marked_extract(found[t.pk]["snippet"], found[t.pk]["body"]) if t.pk in found else "",
            found[t.pk]["post_number"] if t.pk in found else None,
        )
        for t in threads
    ]


# The snippet of a thread comes from the best-ranked of its first matching posts: a
# thread of a thousand posts that all match would otherwise rank every one of them.
SNIPPET_CANDIDATES = 20


def _snippets(query: SearchQuery, thread_ids: list[int]) -> dict[int, dict]:
    """thread id -> {"post_number", "snippet"} from the best-ranked of the thread's first
    SNIPPET_CANDIDATES matching visible posts (by post number)."""
    first_matches = Post.objects.filter(
        thread=OuterRef(OuterRef("pk")), state=PostState.VISIBLE, search_vector=query
    ).order_by("post_number")[:SNIPPET_CANDIDATES]
    best = (
        Post.objects.filter(pk__in=first_matches.values("pk"))
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "post_number")
        .values("pk")[:1]
    )
    best_ids = [
        pk
        for pk in Thread.objects.filter(pk__in=thread_ids)
        .annotate(best=Subquery(best))
        .values_list("best", flat=True)
        if pk is not None
    ]
    if not best_ids:
        return {}
    rows = Post.objects.filter(pk__in=best_ids).annotate(
        snippet=SearchHeadline(
            "body",
            query,
            config="english",
            start_sel=HIGHLIGHT_START,
            stop_sel=HIGHLIGHT_STOP,
            max_words=30,
            min_words=12,
        )
    )
    rows = rows.values("thread_id", "post_number", "snippet", "body")
    return {row["thread_id"]: row for row in rows}


def _search_simple(user, q: str, offset: int) -> list[Result]:
    # The words PostgreSQL's English search leaves out are left out here too: a search
    # of them alone finds nothing on either.
    words = [word for word in q.replace('"', " ").split() if not is_common(word)][:10]
    if not words:
        return []
    post_match = Q()
    title_match = Q()
    for word in words:
        post_match &= Q(body__icontains=word)
        title_match &= Q(title__icontains=word)
    matching_posts = Post.objects.filter(post_match, thread=OuterRef("pk"), state=PostState.VISIBLE)
    threads = list(
        _threads_for(user)
        .annotate(has_post=Exists(matching_posts))
        .filter(title_match | Q(has_post=True))
        .annotate(
            best_number=Subquery(matching_posts.order_by("post_number").values("post_number")[:1])
        )
        .order_by("-last_post_at", "-id")[offset : offset + RESULTS_PER_PAGE + 1]
    )
    snippets = {}
    numbers = {t.pk: t.best_number for t in threads if t.best_number}
    if numbers:
        condition = Q()
        for thread_pk, number in numbers.items():
            condition |= Q(thread_id=thread_pk, post_number=number)
        for post in Post.objects.filter(condition).only("thread_id", "body"):
            snippets[post.thread_id] = _simple_snippet(post.body, words)
    return [Result(t, snippets.get(t.pk, ""), numbers.get(t.pk)) for t in threads]


def _simple_snippet(body: str, words: list[str]) -> str:
    text = " ".join(body.split())
    lowered = text.lower()
    first = min((lowered.find(w.lower()) for w in words if w.lower() in lowered), default=0)
    start = max(first - 80, 0)
    piece = text[start : start + 220]
    # Every word marked in one pass over the plain text, escaped afterwards: marking the
    # words one by one in the escaped text put later words inside the marks of earlier
    # ones ("a" in "<mark>") and inside entities ("amp" in "&amp;"), breaking the page.
    longest_first = sorted({w.lower() for w in words}, key=len, reverse=True)
    if longest_first:
        pattern = re.compile("|".join(re.escape(w) for w in longest_first), re.IGNORECASE)
        piece = pattern.sub(lambda m: f"{HIGHLIGHT_START}{m.group(0)}{HIGHLIGHT_STOP}", piece)
    return ("… " if start else "") + marked(piece) + (" …" if start + 220 < len(text) else "")
