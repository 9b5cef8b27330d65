"""The bytes of an edition's messages: built once per chunk, personalised per recipient.

Django's email framework builds the message once, with placeholders where the recipient's
address, greeting, links, unsubscribe token and Message-ID go. Both parts are 8-bit UTF-8
(the renderer keeps lines short, so Django does not choose quoted-printable), so every
placeholder appears intact in the bytes and a copy for one recipient is a few byte
substitutions: no template rendering, MIME building or encoding per recipient.

When that is not possible (a part had to be encoded, an address or name outside what a
header may carry as is), the message for that recipient is built by Django in full, the
same way. Either way the result is an EmailMultiAlternatives, so every email backend (SMTP,
the file backend of the embedded default, an email service through anymail) sends it.
"""

from dataclasses import dataclass
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape

from newsletter import rendering
from newsletter.models import Edition
from newsletter.rendering import Personal

TO = "recipient@newsletter-recipient.invalid"
MESSAGE_ID = "<message-id@newsletter-message.invalid>"
UNSUBSCRIBE_TOKEN = "%%NEWSLETTER_UNSUBSCRIBE_TOKEN%%"


class _RawMessage:
    """What EmailMessage.message() returns for a prepared copy: the bytes, ready to send."""

    def __init__(self, data: bytes) -> None:
        self.data = data  # lines end with CRLF, as on the wire

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        if linesep == "\r\n":
            return self.data
        return self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode()

    def get_charset(self) -> None:
        return None


class PreparedMessage(EmailMultiAlternatives):
    """A personalised copy whose bytes were made by substitution. Its attributes (subject,
    body, alternatives, headers) hold the same content, for backends that send through an
    API rather than as bytes."""

    def __init__(self, *args, raw: bytes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.raw = raw

    def message(self) -> _RawMessage:
        return _RawMessage(self.raw)


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


def edition_message(
    *, edition: Edition, html: str, text: str, to: str, personal: Personal, message_id: str
) -> EmailMultiAlternatives:
    """One recipient's copy, built by Django in full (the reference the fast path matches)."""
    html, text = rendering.personalise(html, text, personal)
    headers = {**list_headers(edition, personal), "Message-ID": message_id}
    message = EmailMultiAlternatives(
        subject=edition.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _header_safe(value: str) -> bool:
    return value.isascii() and "\r" not in value and "\n" not in value


@dataclass
class _Parts:
    """The template's bytes split at each placeholder, for one join per recipient."""

    pieces: list[bytes]
    slots: list[str]


class MessageTemplate:
    """An edition's message with placeholders, made once; `copy` personalises it."""

    def __init__(self, *, edition: Edition, html: str, text: str) -> None:
        self.edition = edition
        self.html = html
        self.text = text
        self.from_email = settings.DEFAULT_FROM_EMAIL
        # The unsubscribe URL in the header is built around the token placeholder.
        self.unsubscribe_prefix = rendering.unsubscribe_url_prefix()
        placeholder = Personal(
            greeting=rendering.GREETING,
            preferences_url=rendering.PREFERENCES_URL,
            unsubscribe_url=self.unsubscribe_prefix + UNSUBSCRIBE_TOKEN + "/",
            unsubscribe_token=UNSUBSCRIBE_TOKEN,
        )
        message = edition_message(
            edition=edition,
            html=html,
            text=text,
            to=TO,
            personal=placeholder,
            message_id=MESSAGE_ID,
        )
        message.extra_headers["Date"] = formatdate(localtime=True)
        raw = message.message().as_bytes(linesep="\r\n")
        self.parts = self._split(raw)

    @staticmethod
    def _split(raw: bytes) -> _Parts | None:
        """Cut the bytes at every placeholder, or None when one is missing or mangled
        (a part was encoded): then each copy is built in full."""
        slots = {
            TO.encode(): "to",
            MESSAGE_ID.encode(): "message_id",
            UNSUBSCRIBE_TOKEN.encode(): "token",
            rendering.GREETING.encode(): "greeting",
            rendering.PREFERENCES_URL.encode(): "preferences_url",
            rendering.UNSUBSCRIBE_URL.encode(): "unsubscribe_url",
        }
        if raw.count(TO.encode()) != 1 or raw.count(MESSAGE_ID.encode()) != 1:
            return None
        if raw.count(UNSUBSCRIBE_TOKEN.encode()) < 2:  # List-Unsubscribe: https and mailto
            return None
        pieces: list[bytes] = []
        order: list[str] = []
        rest = raw
        while True:
            found = [(rest.find(marker), marker) for marker in slots if marker in rest]
            if not found:
                pieces.append(rest)
                break
            at, marker = min(found)
            pieces.append(rest[:at])
            order.append(slots[marker])
            rest = rest[at + len(marker) :]
        return _Parts(pieces=pieces, slots=order)

    @property
    def fast(self) -> bool:
        return self.parts is not None

    def copy_bytes(self, *, to: str, personal: Personal, message_id: str) -> bytes | None:
        """The bytes for one recipient, or None when they must be built in full."""
        parts = self.parts
        if parts is None or not personal.unsubscribe_token:  # no token: an editor's test
            return None
        if not _header_safe(to) or not _header_safe(personal.greeting):
            return None
        # Our URLs and tokens contain nothing HTML would escape; the greeting (a name) is
        # escaped in the HTML part and plain in the text part.
        values = {
            "to": to.encode(),
            "message_id": message_id.encode(),
            "token": personal.unsubscribe_token.encode(),
            "preferences_url": personal.preferences_url.encode(),
            "unsubscribe_url": personal.unsubscribe_url.encode(),
        }
        greeting_text = personal.greeting.encode()
        greeting_html = escape(personal.greeting).encode()
        out = [parts.pieces[0]]
        in_html = False
        for slot, piece in zip(parts.slots, parts.pieces[1:], strict=True):
            if slot == "greeting":
                out.append(greeting_html if in_html else greeting_text)
            else:
                out.append(values[slot])
            out.append(piece)
            if not in_html and b"Content-Type: text/html" in piece:
                in_html = True
        return b"".join(out)

    def copy(self, *, to: str, personal: Personal, message_id: str) -> EmailMultiAlternatives:
        """The message for one recipient, for any email backend."""
        raw = self.copy_bytes(to=to, personal=personal, message_id=message_id)
        if raw is None:
            return edition_message(
                edition=self.edition,
                html=self.html,
                text=self.text,
                to=to,
                personal=personal,
                message_id=message_id,
            )
        html, text = rendering.personalise(self.html, self.text, personal)
        message = PreparedMessage(
            subject=self.edition.subject,
            body=text,
            from_email=self.from_email,
            to=[to],
            headers={**list_headers(self.edition, personal), "Message-ID": message_id},
            raw=raw,
        )
        message.attach_alternative(html, "text/html")
        return message
