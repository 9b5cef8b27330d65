"""What the library and forum searches share about text: how a typed search is read, and
how a matching extract is shown. Both mark matching words with two private-use
characters (in ts_headline or in Python), which survive escaping and then become <mark>
elements."""

import html
import re

HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"

# A hyphen inside a word ("key-worker", "self-harm").
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


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
