"""Render an edition once, then personalise each copy by substituting a few tokens.

Rendering templates and inlining CSS costs far more than sending; doing it per recipient
would make a large send many times slower. The rendered HTML and text carry placeholders
(GREETING, PREFERENCES_URL, UNSUBSCRIBE_URL) that `personalise` replaces per recipient.
"""

import re
from dataclasses import dataclass
from functools import cache
from html import unescape

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from members.access import AccessLevel
from network.mail import inline_css, site_url
from network.markup import render_markdown
from newsletter import tokens
from newsletter.access import may_name_thread
from newsletter.events_section import edition_event_items
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


def section_html(section: Section) -> str:
    return render_markdown(section.body, user_content=False)


def section_items(section: Section) -> list[dict]:
    """The featured library resources or forum threads of a section, as plain dicts:
    title, summary, absolute link, and whether only members may read it in full. A
    thread is named with its room and size, never with the text of its posts, so that
    nothing a moderator later removes sits in inboxes. Prefetch `resources` and
    `threads__category` when rendering many sections."""
    if section.kind == Section.Kind.RESOURCES:
        return [
            {
                "title": resource.title,
                "summary": resource.summary,
                "url": site_url(resource.get_absolute_url()),
                # A free account opens a resource for signed-in users: not "members only".
                "members_only": resource.access_level == AccessLevel.MEMBERS,
            }
            for resource in section.resources.all()
            if resource.is_live
        ]
    if section.kind == Section.Kind.FORUM:
        return [
            {
                "title": thread.title,
                "summary": (
                    f"In {thread.category.name}: {thread.post_count} "
                    f"{'post' if thread.post_count == 1 else 'posts'}"
                ),
                "url": site_url(thread.get_absolute_url()),
                "members_only": not thread.category.registered_may_read,
            }
            for thread in section.threads.all()
            if thread.state == "visible"
            and thread.merged_into_id is None
            # Checked again as the page is shown: a thread moved since, or a room closed
            # to some member types, is no longer named where its readers may not read it.
            and may_name_thread(section.edition, thread)
        ]
    if section.kind == Section.Kind.EVENTS:
        return edition_event_items(section)
    return []


# Django picks quoted-printable for a part with a line over 998 bytes; keeping lines short
# keeps both parts 8-bit, so per-recipient placeholders stay intact in the message bytes.
_LONG_LINE = 700


def _shorten_lines(text: str) -> str:
    """Break lines longer than _LONG_LINE at a space (the same to HTML, and harmless
    in plain text, which mail clients reflow)."""
    if all(len(line) <= _LONG_LINE for line in text.splitlines()):
        return text
    out = []
    for line in text.split("\n"):
        while len(line) > _LONG_LINE:
            cut = line.rfind(" ", 0, _LONG_LINE)
            if cut <= 0:
                cut = line.find(" ", _LONG_LINE)
                if cut <= 0:
                    break
            out.append(line[:cut])
            line = line[cut + 1 :]
        out.append(line)
    return "\n".join(out)


def edition_prepare(edition: Edition) -> None:
    """Store the HTML of the Markdown fields (done when an editor saves)."""
    edition.introduction_html = render_markdown(edition.introduction, user_content=False)


def _context(edition: Edition) -> dict:
    sections = list(edition.sections.prefetch_related("resources", "threads__category", "events"))
    for section in sections:
        section.html = section.body_html or section_html(section)
        section.items = section_items(section)
    # A section left with nothing to show (no text, and no item still there: none chosen,
    # or each one since hidden or unpublished) would print its heading alone.
    sections = [section for section in sections if section.html.strip() or section.items]
    return {
        "edition": edition,
        "newsletter": edition.newsletter,
        "introduction_html": edition.introduction_html
        or render_markdown(edition.introduction, user_content=False),
        "sections": sections,
        "greeting": GREETING,
        "preferences_url": PREFERENCES_URL,
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "archive_url": site_url(edition.get_absolute_url()),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }


def edition_render(edition: Edition) -> tuple[str, str]:
    """(html, text) of the edition with recipient placeholders; CSS inlined in the HTML;
    its web links counted through the site's redirect (links_counted)."""
    context = _context(edition)
    text = render_to_string("newsletter/emails/edition.txt", context)
    html = inline_css(render_to_string("newsletter/emails/edition.html", context))
    return _shorten_lines(links_counted(html, edition)), _shorten_lines(text)


_HREF = re.compile(r'href="(https?://[^"]+)"')


def links_counted(html: str, edition: Edition) -> str:
    """Every web link of the HTML through /newsletter/r/<edition>/<link>/, which counts
    the click and redirects. The link is signed and names the edition only: no recipient
    (the personal preferences and unsubscribe links are placeholders here, untouched;
    the plain-text part keeps its links as written)."""
    if edition.pk is None:
        return html
    prefix = settings.SITE_URL + reverse("newsletter:link", args=[edition.pk, "LINK"])
    prefix = prefix[: prefix.rindex("LINK")]

    def counted(match: re.Match) -> str:
        url = unescape(match.group(1))
        token = tokens.link_token(edition_id=edition.pk, url=url)
        return f'href="{escape(prefix + token)}/"'

    return _HREF.sub(counted, html)


# Made once per process (keyed on the settings they depend on), not once per message.
@cache
def _cached_signer(purpose: str, secret_key: str):
    return tokens.signer(purpose)


def _signer(purpose: str):
    return _cached_signer(purpose, settings.SECRET_KEY)


@cache
def _cached_url_prefix(name: str, base: str) -> str:
    marker = "TOKEN"
    url = base + reverse(name, args=[marker])
    return url[: url.rindex(marker)]


def _url_prefix(name: str) -> str:
    return _cached_url_prefix(name, settings.SITE_URL)


def unsubscribe_url_prefix() -> str:
    return _url_prefix("newsletter:unsubscribe")


def personal_for(subscriber: Subscriber | None) -> Personal:
    if subscriber is None:  # a test message to an editor who is not a subscriber
        index = site_url(reverse("newsletter:index"))
        return Personal("Hello,", index, index, "")
    return personal_from(key=subscriber.key, name=subscriber.display_name)


def personal_from(*, key: str, name: str) -> Personal:
    """A recipient's greeting and signed links, from their key and name alone (the
    sending engine calls this per message, so no queries and no URL resolving)."""
    unsubscribe_token = _signer(tokens.UNSUBSCRIBE).sign(key)
    preferences_token = _signer(tokens.PREFERENCES).sign(key)
    name = " ".join(name.split())
    return Personal(
        greeting=f"Hello {name}," if name else "Hello,",
        preferences_url=f"{_url_prefix('newsletter:preferences')}{preferences_token}/",
        unsubscribe_url=f"{unsubscribe_url_prefix()}{unsubscribe_token}/",
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
