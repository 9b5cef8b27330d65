"""What the library and forum searches share about text: how a typed search is read, and
how a matching extract is shown. Both mark matching words with two private-use
characters (in ts_headline or in Python), which survive escaping and then become <mark>
elements."""

import html
import re

from django.db import connection

HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"

# A hyphen inside a word ("key-worker", "self-harm").
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
# A word as PostgreSQL's parser reads one: letters and digits.
_WORD = re.compile(r"[^\W_]+")
# PostgreSQL's English stop words (tsearch_data/english.stop), which its searches leave
# out: SQLite leaves out the same, so that both find the same for "the care of".
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())


def is_word(token: str) -> bool:
    """A token of a typed search that searches for something: a letter or digit in it,
    and not `or` (an operator), bare quotes or minus signs."""
    bare = token.strip('"').lstrip("-+")
    return any(ch.isalnum() for ch in bare) and bare.lower() != "or"


def has_words(q: str) -> bool:
    """Whether a typed search holds a word at all. One of punctuation alone (`""`, `-`,
    `...`) is no search: PostgreSQL finds no word in it and so nothing, and SQLite
    would look for the characters themselves, so both treat it as no search at all."""
    return any(is_word(token) for token in q.split())


def searched_words(q: str) -> str:
    """What the engines search for `q`: a hyphen inside a word read as a space, so that
    "key-worker" also finds "key worker" (PostgreSQL would otherwise ask for the
    hyphenated compound itself, and SQLite for the exact characters)."""
    return _INNER_HYPHEN.sub(" ", q)


def marked(text: str) -> str:
    """Escape text, then turn our highlight markers into <mark> elements."""
    return html.escape(text).replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")


def marked_extract(extract: str, whole: str) -> str:
    """marked(extract), with an ellipsis where it starts after the beginning of `whole`
    or stops before its end, so that an extract cut short does not read as complete."""
    plain = extract.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, "").strip()
    whole = whole.strip()
    at = whole.find(plain) if plain else -1
    if at < 0:
        return marked(extract)
    before = "… " if whole[:at].strip() else ""
    after = " …" if whole[at + len(plain) :].strip() else ""
    return before + marked(extract.strip()) + after


def is_common(term: str) -> bool:
    """Whether a word or phrase of a search is only stop words, which PostgreSQL leaves
    out of a search (SQLite leaves it out too)."""
    words = _WORD.findall(term.lower())
    return bool(words) and all(word in STOP_WORDS for word in words)


def only_common_words(q: str) -> bool:
    """Whether the search `q` holds only words too common to search on ("the and of"),
    which find nothing. Asked only when a search found nothing, to say why: on
    PostgreSQL one statement, which reads nothing but the words."""
    if not q:
        return False
    if connection.vendor != "postgresql":
        return is_common(q)
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(websearch_to_tsquery('english', %s)) = 0", [q])
        return cursor.fetchone()[0]
