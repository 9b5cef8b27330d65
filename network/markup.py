"""The one way user- and editor-written Markdown becomes HTML.

markdown-it-py's `js-default` preset keeps raw HTML off; nh3 then removes anything not on
an explicit allow-list. The library, the forum and the newsletter all call
`render_markdown`, and store its output beside the source with MARKUP_RENDERER_VERSION so
pages do not re-render on every view and can be re-rendered when these rules change.
"""

from html import unescape

import nh3
from markdown_it import MarkdownIt

# Bump when the rules below change, then re-render what is stored with an older version.
MARKUP_RENDERER_VERSION = 1

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
USER_CONTENT_LINK_REL = "nofollow ugc noopener noreferrer"
EDITOR_CONTENT_LINK_REL = "noopener noreferrer"

_markdown = MarkdownIt("js-default")


def render_markdown(source: str, *, user_content: bool = True) -> str:
    """Markdown to safe HTML. `user_content` marks links as user-generated (rel=ugc)."""
    html = _markdown.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=USER_CONTENT_LINK_REL if user_content else EDITOR_CONTENT_LINK_REL,
        strip_comments=True,
    )


def markdown_to_text(source: str) -> str:
    """Plain text of Markdown, for search vectors, snippets and plain-text emails."""
    # nh3 keeps text escaped for HTML ("&amp;"); plain text wants the characters.
    return unescape(nh3.clean(render_markdown(source), tags=set())).strip()
