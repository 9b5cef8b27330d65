"""The one way user- and editor-written Markdown becomes HTML.

markdown-it-py's `js-default` preset keeps raw HTML off; nh3 then removes anything not on
an explicit allow-list. The library, the forum and the newsletter all call
`render_markdown`, and store its output beside the source with MARKUP_RENDERER_VERSION so
pages do not re-render on every view and can be re-rendered when these rules change.
"""

from html import unescape
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

# Bump when the rules below change; `manage.py rerender_markup` then re-renders what is
# stored with an older version.
# 2: images become links named by their alt text (they were dropped, alt text and all).
MARKUP_RENDERER_VERSION = 2

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

IMAGE_LINK_PREFIX = "Image: "


def _image_as_link(renderer, tokens, idx, options, env) -> str:
    """`![alt](url)` as a link to the picture, named by its alt text.

    Pictures from elsewhere are never shown inline: they would tell another site who reads
    a thread and when, and could change after a moderator read the post. Dropping them
    lost the writer's description too, which is all a screen-reader user had.
    """
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env).strip()
    src = token.attrGet("src") or ""
    inside_link = sum(
        (t.type == "link_open") - (t.type == "link_close") for t in tokens[:idx]
    )  # a link cannot hold another: the outer one already goes somewhere
    if inside_link or urlsplit(src).scheme not in {"http", "https"}:
        return escapeHtml(alt)
    return f'<a href="{escapeHtml(src)}">{escapeHtml(IMAGE_LINK_PREFIX + (alt or src))}</a>'


_markdown = MarkdownIt("js-default")
_markdown.add_render_rule("image", _image_as_link)


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
