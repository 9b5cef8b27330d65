"""Highlighted extracts of summaries: both engines mark the matching words with two
private-use characters, which survive escaping and then become <mark> elements."""

import html

HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"


def marked(text: str) -> str:
    """Escape text, then turn our highlight markers into <mark> elements."""
    return html.escape(text).replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")


def marked_extract(extract: str, whole: str) -> str:
    """marked(extract), with an ellipsis where it starts after the beginning of `whole`
    or stops before its end, so that a summary cut short does not read as complete."""
    plain = extract.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, "").strip()
    whole = whole.strip()
    at = whole.find(plain) if plain else -1
    if at < 0:
        return marked(extract)
    before = "… " if whole[:at].strip() else ""
    after = " …" if whole[at + len(plain) :].strip() else ""
    return before + marked(extract.strip()) + after
