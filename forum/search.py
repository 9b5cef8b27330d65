"""Forum search at /forum/search/?q=.

Results are threads: those whose title matches or which hold a matching visible post,
in categories the person may read (readable_categories_q, the rule of every listing),
listed and visible. Held, hidden and removed posts never match, so no title, count or
snippet reveals what a person may not see.

PostgreSQL: the stored, GIN-indexed vectors on thread titles (weight A) and post bodies
(B), `websearch_to_tsquery`; title matches first, then by latest activity; a snippet
from ts_headline of the best-ranked post of each thread on the page.
SQLite (the embedded default): every word must appear in the title or a post.
"""

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Subquery

from forum import access
from forum.models import Post, PostState, Thread, ThreadState

RESULTS_PER_PAGE = 20
_START = "\ue000"
_STOP = "\ue001"


@dataclass
class Result:
    thread: Thread
    snippet_html: str
    post_number: int | None


def query_bound(q: str) -> tuple[str, str]:
    """The search as it will run, and a notice for the page when it was cut ("" if not).

    At most FORUM_SEARCH_MAX_TERMS words and FORUM_SEARCH_MAX_CHARS characters: a quoted
    phrase of 99 words took 2.7 s, as PostgreSQL matches each word at its distance from
    the others. A phrase cut in the middle is closed again, so it stays a phrase.
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
    return q, notice


def _clean(q: str) -> str:
    return query_bound(q)[0]


def _threads_for(user):
    return Thread.objects.filter(
        access.readable_categories_q(user, prefix="category__"),
        state=ThreadState.VISIBLE,
        merged_into__isnull=True,
    ).select_related("category", "last_post_author")


def _highlighted(text: str) -> str:
    escaped = html.escape(text)
    return escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")


def search(user, q: str, *, page: int = 1) -> tuple[list[Result], bool]:
    """One page of results and whether there is a next page."""
    q = _clean(q)
    if not q:
        return [], False
    offset = (page - 1) * RESULTS_PER_PAGE
    if connection.vendor == "postgresql":
        results = _search_postgresql(user, q, offset)
    else:
        results = _search_simple(user, q, offset)
    return results[:RESULTS_PER_PAGE], len(results) > RESULTS_PER_PAGE


def _search_postgresql(user, q: str, offset: int) -> list[Result]:
    """Threads whose title or a visible post matches, title matches first, then by last
    activity; the best-ranked post of each thread on the page gives the snippet. Ranking
    runs only for the page's threads, so a very common word stays cheap."""
    query = SearchQuery(q, search_type="websearch", config="english")
    matching_posts = Post.objects.filter(
        thread=OuterRef("pk"), state=PostState.VISIBLE, search_vector=query
    )
    threads = list(
        _threads_for(user)
        .filter(Q(search_vector=query) | Exists(matching_posts))
        .annotate(title_rank=SearchRank(F("search_vector"), query))
        .order_by(F("title_rank").desc(nulls_last=True), "-last_post_at", "-id")[
            offset : offset + RESULTS_PER_PAGE + 1
        ]
    )
    if not threads:
        return []
    best = (
        Post.objects.filter(
            thread_id__in=[t.pk for t in threads], state=PostState.VISIBLE, search_vector=query
        )
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("thread_id", "-rank", "post_number")
        .distinct("thread_id")
        .values("pk")
    )
    rows = Post.objects.filter(pk__in=best).annotate(
        snippet=SearchHeadline(
            "body",
            query,
            config="english",
            start_sel=_START,
            stop_sel=_STOP,
            max_words=30,
            min_words=12,
        )
    )
    found = {row["thread_id"]: row for row in rows.values("thread_id", "post_number", "snippet")}
    return [
        Result(
            t,
            _highlighted(found[t.pk]["snippet"]) if t.pk in found else "",
            found[t.pk]["post_number"] if t.pk in found else None,
        )
        for t in threads
    ]


def _search_simple(user, q: str, offset: int) -> list[Result]:
    words = q.replace('"', " ").split()[:10]
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
    escaped = html.escape(piece)
    for word in words:
        escaped = re.sub(
            f"({re.escape(html.escape(word))})", r"<mark>\1</mark>", escaped, flags=re.IGNORECASE
        )
    return ("… " if start else "") + escaped + (" …" if start + 220 < len(text) else "")
