import email
from email.message import Message

import icalendar
import pytest
from django.core import mail

from tests.members.factories import UserFactory


@pytest.fixture
def person():
    """A registered person (no membership is needed for most events)."""
    return UserFactory(
        email="ruth.kaye@example.org", name="Ruth Kaye", organisation_name="Larchwood Homes"
    )


def people(count: int) -> list:
    return [UserFactory(email=f"colleague{n}@example.org") for n in range(count)]


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def calendar_of(message) -> icalendar.Calendar | None:
    """The .ics attached to an email, parsed back with icalendar."""
    for _name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            data = content.encode() if isinstance(content, str) else content
            return icalendar.Calendar.from_ical(data)
    return None


def vevent(calendar: icalendar.Calendar) -> icalendar.Event:
    return next(iter(calendar.walk("VEVENT")))


def parse_eml(data: bytes) -> Message:
    return email.message_from_bytes(data)
