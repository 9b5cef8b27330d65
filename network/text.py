"""Text as a reader sees it: characters that draw nothing, and characters that turn the
text after them around (forum posts and titles, and people's names, are checked here);
and counts written in words; email addresses that may wrap."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

# Characters that draw nothing: control and format characters (zero-width spaces and
# joiners, the byte-order mark), separators, and the letters and symbols used as blanks
# (Hangul fillers, the blank Braille pattern). Text of these alone reads as empty.
_SHOWS_NOTHING_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}
_BLANK_CHARACTERS = {"\u115f", "\u1160", "\u2800", "\u3164", "\uffa0"}

# Bidirectional embeddings, overrides and isolates. In a name or a title they reverse
# what follows ("RTL override" shows as "edirrevo LTR") and let one name pass for
# another; no name or title needs them (right-to-left scripts run right to left alone).
_DIRECTION_CONTROLS = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
# Invisible in a name, where they can only make a copy of someone's name look the same.
_INVISIBLE_IN_NAMES = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))


def shown_text(text: str) -> str:
    """`text` without the characters that draw nothing (ordinary spaces are kept)."""
    return "".join(
        char
        for char in text
        if char == " "
        or (
            char not in _BLANK_CHARACTERS
            and unicodedata.category(char) not in _SHOWS_NOTHING_CATEGORIES
        )
    )


def without_direction_controls(text: str) -> str:
    return text.translate(_DIRECTION_CONTROLS)


def person_name_clean(name: str) -> str:
    """A person's name as it is kept: without direction controls or invisible
    characters, spaces collapsed; ValidationError when nothing would show."""
    name = " ".join(without_direction_controls(name or "").translate(_INVISIBLE_IN_NAMES).split())
    if not shown_text(name).strip():
        raise ValidationError("Enter your name", code="required")
    return name


def shown_beside_name_clean(text: str) -> str:
    """A job title or an organisation as it is kept, shown beside the person's name on
    every forum post: without direction controls or invisible characters, spaces
    collapsed (a title that turns the text after it around could pass one person's name
    and role off as another's)."""
    return " ".join(without_direction_controls(text or "").translate(_INVISIBLE_IN_NAMES).split())


def counted(number: int, noun: str, plural: str = "") -> str:
    """ "1 organisation", "3 organisations", "1,200 posts": summaries are read aloud and
    shown, and a count of one is common on a small network."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def email_that_wraps(email: str) -> str:
    """`email` as HTML that may break before its "@" and the dots of its domain: an
    address has no space to break at, so a long one set the width of its whole column
    (the admin's lists of people and seats, beside the menu and the filters)."""
    local, at, domain = email.rpartition("@")
    if not at:
        return format_html("{}", email)
    parts = domain.split(".")
    return format_html(
        "{}<wbr>@{}{}", local, parts[0], format_html_join("", "<wbr>.{}", ((p,) for p in parts[1:]))
    )
