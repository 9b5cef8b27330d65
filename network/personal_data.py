"""What the site-wide pages store about a person: messages sent through the contact
form (found by address). See network/data_rights.py."""

from datetime import timedelta

from network.data_rights import ErasureChoices, ExportArchive, Retention, iterate
from network.models import ContactMessage

RETENTION = [
    Retention(
        model="network.ContactMessage",
        field="received_at",
        period=timedelta(days=2 * 365),
        what="Messages sent through the contact form",
        why="To reply, and to look back at what was asked.",
    ),
]


def export(user, archive: ExportArchive) -> None:
    archive.add_part(
        "contact_messages",
        "Messages you sent through the contact form",
        [
            ("received_at", "Received"),
            ("name", "Name you gave"),
            ("email", "Email address you gave"),
            ("subject", "Subject"),
            ("message", "Message"),
        ],
        iterate(
            ContactMessage.objects.filter(email__iexact=user.email)
            .order_by("pk")
            .values("received_at", "name", "email", "subject", "message")
        ),
        about="Messages sent to the network from your email address.",
    )


def erase(user, choices: ErasureChoices) -> None:
    ContactMessage.objects.filter(email__iexact=user.email).delete()
