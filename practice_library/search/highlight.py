"""Highlighted extracts of summaries: both engines mark the matching words with two
private-use characters, which survive escaping and then become <mark> elements."""

import html

HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"


def marked(text: str) -> str:
    """Escape text, then turn our highlight markers into <mark> elements."""
    return html.escape(text).replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
