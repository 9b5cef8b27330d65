"""Render an edition once, then personalise each copy by substituting a few tokens.

Rendering templates and inlining CSS costs far more than sending; doing it per recipient
would make a large send many times slower. The rendered HTML and text carry placeholders
(GREETING, PREFERENCES_URL, UNSUBSCRIBE_URL) that `personalise` replaces per recipient.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from network.mail import inline_css
from network.markup import render_markdown
from newsletter import tokens
from newsletter.models import Edition, Section, Subscriber

GREETING = "%%NEWSLETTER_GREETING%%"
PREFERENCES_URL = "%%NEWSLETTER_PREFERENCES_URL%%"
UNSUBSCRIBE_URL = "%%NEWSLETTER_UNSUBSCRIBE_URL%%"


@dataclass(frozen=True)
class Personal:
    """What differs from one recipient to the next."""

    greeting: str
    preferences_url: str
    unsubscribe_url: str
    unsubscribe_token: str


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def section_html(section: Section) -> str:
    return render_markdown(section.body, user_content=False)


def section_items(section: Section) -> list[dict]:
    """Featured library resources or forum threads of a section, as plain dicts."""
    return []


def edition_prepare(edition: Edition) -> None:
    """Store the HTML of the Markdown fields (done when an editor saves)."""
    edition.introduction_html = render_markdown(edition.introduction, user_content=False)


def _context(edition: Edition) -> dict:
    sections = list(edition.sections.all())
    for section in sections:
        section.html = section.body_html or section_html(section)
        section.items = section_items(section)
    return {
        "edition": edition,
        "newsletter": edition.newsletter,
        "introduction_html": edition.introduction_html
        or render_markdown(edition.introduction, user_content=False),
        "sections": sections,
        "greeting": GREETING,
        "preferences_url": PREFERENCES_URL,
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "archive_url": absolute(edition.get_absolute_url()),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }


def edition_render(edition: Edition) -> tuple[str, str]:
    """(html, text) of the edition with recipient placeholders; CSS inlined in the HTML."""
    context = _context(edition)
    text = render_to_string("newsletter/emails/edition.txt", context)
    html = inline_css(render_to_string("newsletter/emails/edition.html", context))
    return html, text


def personal_for(subscriber: Subscriber | None) -> Personal:
    if subscriber is None:  # a test message to an editor who is not a subscriber
        index = absolute(reverse("newsletter:index"))
        return Personal("Hello,", index, index, "")
    name = subscriber.display_name
    unsubscribe_token = tokens.subscriber_token(subscriber, purpose=tokens.UNSUBSCRIBE)
    preferences_token = tokens.subscriber_token(subscriber, purpose=tokens.PREFERENCES)
    return Personal(
        greeting=f"Hello {name}," if name else "Hello,",
        preferences_url=absolute(reverse("newsletter:preferences", args=[preferences_token])),
        unsubscribe_url=absolute(reverse("newsletter:unsubscribe", args=[unsubscribe_token])),
        unsubscribe_token=unsubscribe_token,
    )


def personalise(html: str, text: str, personal: Personal) -> tuple[str, str]:
    html = (
        html.replace(GREETING, escape(personal.greeting))
        .replace(PREFERENCES_URL, escape(personal.preferences_url))
        .replace(UNSUBSCRIBE_URL, escape(personal.unsubscribe_url))
    )
    text = (
        text.replace(GREETING, personal.greeting)
        .replace(PREFERENCES_URL, personal.preferences_url)
        .replace(UNSUBSCRIBE_URL, personal.unsubscribe_url)
    )
    return html, text


def list_headers(edition: Edition, personal: Personal) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: one-click unsubscribe by https POST, or by mailto."""
    mailto = f"mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}"
    if personal.unsubscribe_token:
        mailto += f"?subject=unsubscribe%20{personal.unsubscribe_token}"
    return {
        "List-Id": edition.newsletter.list_id,
        "List-Unsubscribe": f"<{personal.unsubscribe_url}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
