"""Building emails: every message is plain text plus HTML with its CSS inlined.

Templates come in pairs, `<name>.txt` and `<name>.html`; the HTML one extends
`emails/base.html`, whose <style> css-inline moves into style attributes because many mail
clients drop <style> blocks.
"""

from collections.abc import Callable, Sequence

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Model, Q
from django.template.loader import render_to_string

_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def site_url(path: str) -> str:
    """An absolute link to a path of the site, for emails and what leaves the site
    (SITE_URL is kept without a trailing slash)."""
    return f"{settings.SITE_URL}{path}"


def inline_css(html: str) -> str:
    return _inliner.inline(html)


def build_email(
    *,
    template: str,
    context: dict,
    subject: str,
    to: Sequence[str],
    reply_to: Sequence[str] | None = None,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
) -> EmailMultiAlternatives:
    """Render `template`.txt and `template`.html into one multipart message.

    The subject is put on one line: it often carries what someone typed (a contact
    form's subject, an organisation's name), and a line break in a header makes Django
    refuse to send the message at all."""
    subject = " ".join(subject.split())
    # The subject is also the HTML part's <title> (emails/base.html): what a screen reader
    # announces, and what a mail client shows for the message opened in a browser.
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "email_subject": subject,
        **context,
    }
    text = render_to_string(f"{template}.txt", context)
    html = inline_css(render_to_string(f"{template}.html", context))
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def send_once(
    *,
    model: type[Model],
    pk: int,
    claim: Q,
    field: str,
    value,
    build: Callable[[], EmailMultiAlternatives],
) -> bool:
    """Send a one-off email about a row at most once, however often its task runs.

    Claims the row's "sent" mark (`field` set to `value` where `claim` still holds) with
    one conditional UPDATE, so two workers never both send; sends; and gives the mark
    back if sending fails, so the task's retry sends it. Returns whether it sent."""
    claimed = model._default_manager.filter(claim, pk=pk).update(**{field: value})
    if not claimed:
        return False
    try:
        build().send()
    except Exception:
        model._default_manager.filter(pk=pk).update(**{field: None})
        raise
    return True
