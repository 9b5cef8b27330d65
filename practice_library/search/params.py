"""What a search asks for: the query string read into SearchParams, the search text
normalised and bounded, the facets' selected values and the page.

Values we do not know are ignored, never an error; the text is cut to a bounded number
of words and characters so that no input holds a worker for long.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from members.models import MemberType
from network.pagination import page_number
from network.search_text import has_words, is_word, searched_words

MAX_QUERY_LENGTH = 200
SORTS = {"relevance": "Best match", "newest": "Newest first"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_QUOTED = re.compile(r'"([^"]*)(?:"|$)')


@dataclass
class SearchParams:
    q: str = ""
    # What the engines search (network.search_text.searched_words).
    text: str = ""
    types: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    sort: str = "relevance"
    page: int = 1
    # When the search was cut: how many of its words were searched (0: all of them).
    words_searched: int = 0

    @property
    def has_filters(self) -> bool:
        return bool(self.types or self.topics or self.audiences or self.years)

    @property
    def effective_sort(self) -> str:
        """Without search text there is nothing to rank: newest first."""
        return self.sort if self.q else "newest"

    def querystring(self, **changes) -> str:
        """The query string for these parameters with some changed (None removes)."""
        values = {
            "q": self.q,
            "type": self.types,
            "topic": self.topics,
            "audience": self.audiences,
            "year": [str(year) for year in self.years],
            "sort": self.sort if self.sort != "relevance" else "",
        }
        values.update(changes)
        query = QueryDict(mutable=True)
        for key, value in values.items():
            if isinstance(value, list):
                if value:
                    query.setlist(key, value)
            elif value:
                query[key] = value
        return query.urlencode()


def clean_query(raw: str) -> tuple[str, int]:
    """Normalised search text, and, when it had to be cut, how many words were kept.

    At most MAX_QUERY_LENGTH characters and settings.LIBRARY_SEARCH_MAX_TERMS words
    (words inside quotes count too): each word of a phrase is one more condition on the
    word pairs and one more lexeme to rank, so a phrase of a hundred words would hold a
    worker for seconds. The cut keeps whole words, and closes a quote it cut through.
    A search without a word (network.search_text.has_words) is no search: "".
    """
    text = unicodedata.normalize("NFC", raw or "")
    text = _CONTROL.sub(" ", text)
    if not has_words(text):
        return "", 0
    tokens = text.split()
    max_terms = settings.LIBRARY_SEARCH_MAX_TERMS
    kept: list[str] = []
    words = 0
    cut = False
    for token in tokens:
        if is_word(token):
            if words == max_terms:
                cut = True
                break
            words += 1
        if len(" ".join([*kept, token])) > MAX_QUERY_LENGTH:
            if not kept:
                kept.append(token[:MAX_QUERY_LENGTH])  # one endless word: its beginning
            cut = True
            break
        kept.append(token)
    if not cut:
        return " ".join(tokens), 0
    while kept and not is_word(kept[-1]):
        kept.pop()  # a trailing `or` or a lone quote would search for nothing
    text = " ".join(kept)
    if text.count('"') % 2:
        text += '"'
    return text, sum(1 for token in kept if is_word(token))


def parse_params(data: QueryDict, *, type_slugs: set[str], topic_slugs: set[str]) -> SearchParams:
    """Read the query string; values we do not know are ignored, never an error."""
    q, words_searched = clean_query(data.get("q", ""))
    audience_values = {value for value, _ in MemberType.choices}
    this_year = timezone.localdate().year
    years = []
    for value in data.getlist("year"):
        # isdigit() accepts "²" and int() refuses it; a year is four ASCII digits.
        if not re.fullmatch(r"[0-9]{4}", value):
            continue
        year = int(value)
        if 1900 <= year <= this_year + 1 and year not in years:
            years.append(year)
    sort = data.get("sort", "relevance")
    return SearchParams(
        q=q,
        text=searched_words(q),
        types=_known(data.getlist("type"), type_slugs),
        topics=_known(data.getlist("topic"), topic_slugs),
        audiences=_known(data.getlist("audience"), audience_values),
        years=sorted(years, reverse=True),
        sort=sort if sort in SORTS else "relevance",
        page=page_number(data.get("page")),
        words_searched=words_searched,
    )


def _known(values: list[str], known: set[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value in known and value not in seen:
            seen.append(value)
    return seen


def required_phrases(q: str) -> list[str]:
    """The quoted phrases that every match of a websearch query must contain.

    Only what is certain: a phrase preceded by a minus is left out, and a query with
    `or` outside its quotes gives none (each phrase might be one alternative), as does
    a quote that does not stand apart from the words around it.
    """
    phrases = []
    outside = []
    last = 0
    for match in _QUOTED.finditer(q):
        before = q[match.start() - 1] if match.start() else " "
        after = q[match.end()] if match.end() < len(q) else " "
        negated = before == "-"
        if negated:
            before = q[match.start() - 2] if match.start() > 1 else " "
        if not (before.isspace() and after.isspace()):
            return []
        outside.append(q[last : match.start()])
        last = match.end()
        if not negated:
            phrases.append(match.group(1))
    outside.append(q[last:])
    if any(word.lower() == "or" for word in " ".join(outside).split()):
        return []
    return [phrase for phrase in phrases if len(phrase.split()) > 1]
