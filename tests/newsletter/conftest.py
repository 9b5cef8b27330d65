import email
import re
from email.message import Message

import pytest

from newsletter import digest_sections
from tests.newsletter.factories import EditionFactory, NewsletterFactory


@pytest.fixture
def newsletter(db):
    return NewsletterFactory(name="The network newsletter", slug="network-newsletter")


@pytest.fixture
def edition(newsletter):
    return EditionFactory(newsletter=newsletter)


@pytest.fixture(autouse=True)
def _fresh_library_cache():
    """The library's digest sections keep one period's resources per worker: no test
    sees another's."""
    digest_sections._library_periods.clear()
    yield
    digest_sections._library_periods.clear()


def parse(message) -> Message:
    """The message as a mail client sees it: bytes on the wire, parsed."""
    return email.message_from_bytes(message.message().as_bytes())


def parts(parsed: Message) -> dict[str, str]:
    found = {}
    for part in parsed.walk():
        if part.get_content_maintype() == "text":
            found[part.get_content_type()] = part.get_payload(decode=True).decode(
                part.get_content_charset() or "utf-8"
            )
    return found


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", text)
