"""Watch-list patterns compiled for RE2, so screening a post takes linear time.

Python's `re` backtracks: the email pattern alone took about 3 seconds on a
20,000-character post of "a." repeated, and a staff pattern such as `(a+)+$` can take
for ever. RE2 (google-re2) matches in time linear in the text whatever the pattern, and
refuses what it cannot do that way (back-references, lookarounds), so a pattern staff
type into the watch list is checked when it is saved (WatchPattern.clean()).

Lookarounds are what patterns used for edges ("not after a digit"). Instead a pattern
may name the part that counts `(?P<hit>...)` and match its surroundings outside it:
`(?:^|\\D)(?P<hit>\\d{10})(?:\\D|$)`. Only the hit is reported, and the next search starts
at the hit's end, so the surroundings consumed do not hide a neighbouring match.

This module imports no models, so forum/models.py can use it to validate patterns.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import re2
from django.conf import settings

# The kinds of WatchPattern (forum.models.WatchPattern.Kind), as stored.
WORD = "word"
WILDCARD = "wildcard"
REGEX = "regex"

# A letter, digit or underscore in any script: the edge of a whole word. RE2's \w and \b
# know only ASCII, and words here may be "Zoë" or "Siân".
_WORD_CHAR = r"[\pL\pN_]"
_NOT_WORD_CHAR = r"[^\pL\pN_]"
HIT_GROUP = "hit"


class PatternError(ValueError):
    """A pattern that cannot be used, with a message for the person who typed it."""


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False  # every kind matches in any case
    options.log_errors = False  # the error is raised and explained; no stderr noise
    # Memory for the compiled program and its DFA cache; a pattern too big for it is
    # refused when saved, rather than falling back to a slower matcher on every post.
    options.max_mem = settings.FORUM_WATCH_PATTERN_MAX_MEM
    return options


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    text: str


class CompiledPattern:
    """A compiled watch-list pattern: `finditer` yields the hits, left to right."""

    def __init__(self, source: str):
        self.source = source
        try:
            self._regex = re2.compile(source, _options())
            self._hit_group = self._regex.groupindex.get(HIT_GROUP, 0)
            if not self._hit_group:
                # Only the whole match is reported, so no group needs filling in. Without
                # captures RE2 finds a match with its DFA alone; filling in groups over a
                # long match (a staff pattern like `(.*a){12}`) costs many times more.
                options = _options()
                options.never_capture = True
                self._regex = re2.compile(source, options)
        except re2.error as error:
            raise PatternError(_explain(error)) from error

    def finditer(self, text: str) -> Iterator[Hit]:
        """Every hit in `text`. Runs on the UTF-8 bytes, encoded once, so the whole scan
        stays linear (re2's str methods re-encode the text on each call)."""
        data = (text or "").encode("utf-8")
        position = 0
        byte_mark = char_mark = 0  # character offsets computed incrementally
        while position <= len(data):
            found = self._regex.search(data, position)
            if found is None:
                return
            start, end = found.span(self._hit_group)
            if start < 0:  # the hit group took no part in this match
                start, end = found.span()
            char_start = char_mark + len(data[byte_mark:start].decode("utf-8", "replace"))
            piece = data[start:end].decode("utf-8", "replace")
            byte_mark, char_mark = end, char_start + len(piece)
            if end > start:
                yield Hit(char_start, char_mark, piece)
            # Continue after the hit (not after the surroundings it consumed); always move.
            position = max(end, found.start() + 1, position + 1)

    def search(self, text: str) -> Hit | None:
        return next(self.finditer(text), None)


def _explain(error: Exception) -> str:
    detail = error.args[0] if error.args else error
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    detail = str(detail)
    if "perl operator" in detail and "(?" in detail:
        return (
            "Lookarounds such as (?<!...), (?<=...), (?!...) and (?=...) are not supported: "
            "they can make screening slow. Use \\b for the edge of a word, or match the "
            "surroundings and name the part that counts (?P<hit>...), e.g. "
            "(?:^|\\D)(?P<hit>\\d{10})(?:\\D|$)."
        )
    if "invalid escape sequence: \\" in detail and detail[-1:].isdigit():
        return "Back-references such as \\1 are not supported: they can make screening slow."
    if "too large" in detail or "too big" in detail:
        return "This pattern is too large to check quickly. Split it into simpler patterns."
    return f"This is not a valid regular expression: {detail}."


def compile_pattern(kind: str, pattern: str) -> CompiledPattern:
    """The compiled form of a watch-list entry; PatternError explains a bad one."""
    pattern = (pattern or "").strip()
    if not pattern:
        raise PatternError("Enter a pattern.")
    if kind == WORD:
        body = r"\s+".join(re2.escape(word) for word in pattern.split())
    elif kind == WILDCARD:
        parts = []
        for char in pattern:
            if char == "*":
                parts.append(f"{_WORD_CHAR}*")
            elif char == "?":
                parts.append(_WORD_CHAR)
            elif char.isspace():
                parts.append(r"\s+")
            else:
                parts.append(re2.escape(char))
        body = "".join(parts)
    elif kind == REGEX:
        body = None
    else:
        raise PatternError(f"Unknown kind of pattern: {kind}.")
    if body is not None:
        # Whole words: the hit may not touch a letter or digit on either side.
        source = f"(?:^|{_NOT_WORD_CHAR})(?P<{HIT_GROUP}>{body})(?:{_NOT_WORD_CHAR}|$)"
    else:
        source = pattern
    compiled = CompiledPattern(source)
    if compiled.search("") is not None or compiled._regex.search("") is not None:
        raise PatternError("This pattern matches empty text, so it would catch every post.")
    return compiled
