"""What events stores about a person: their registrations (with the name, organisation
and needs they gave) and the notices sent about them. See network/data_rights.py."""

from datetime import timedelta

from django.db.models import Q

from events.models import EventMessage, Registration
from events.services import registrations_withdraw_for_erasure
from network.data_rights import ErasureChoices, ExportArchive, Retention, choices_of, iterate


def _needs_clear(past) -> int:
    return past.update(needs="")


RETENTION = [
    # Access and dietary needs can tell of someone's health: they serve the team getting
    # ready for the event and are cleared a month after it, once questions are answered.
    # The place itself (and whether the person attended, for their certificate) stays.
    Retention(
        model="events.Registration",
        field="event__ends_at",
        period=timedelta(days=30),
        what="Accessibility or dietary needs you gave for an event",
        why="So that the team can get the event ready for you; not needed once it is over.",
        condition=~Q(needs=""),
        purge=_needs_clear,
        starts="after the event",
    ),
]

COLUMNS = [
    ("event__title", "Event"),
    ("event__starts_at", "Event starts"),
    ("status", "Status", choices_of(Registration, "status")),
    ("name", "Name you gave"),
    ("organisation_name", "Organisation you gave"),
    ("needs", "Access or dietary needs"),
    ("attended", "Attended"),
    ("created_at", "Registered"),
    ("cancelled_at", "Cancelled"),
]


def export(user, archive: ExportArchive) -> None:
    archive.add_part(
        "event_registrations",
        "Event registrations",
        COLUMNS,
        iterate(
            Registration.objects.filter(user=user)
            .order_by("pk")
            .values(*(column[0] for column in COLUMNS))
        ),
        about="Each event you registered for, with the details and needs you gave us.",
    )


def erase(user, choices: ErasureChoices) -> None:
    registrations_withdraw_for_erasure(user=user)
    EventMessage.objects.filter(sent_by=user).update(sent_by=None)
