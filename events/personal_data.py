"""What events stores about a person: their registrations (with the name, organisation
and needs they gave) and the notices sent about them. See network/data_rights.py."""

from events.models import EventMessage, Registration
from events.services import registrations_withdraw_for_erasure
from network.data_rights import ErasureChoices, ExportArchive, iterate

FIELDS = [
    "event__title",
    "event__starts_at",
    "status",
    "name",
    "organisation_name",
    "needs",
    "attended",
    "created_at",
    "cancelled_at",
]


def export(user, archive: ExportArchive) -> None:
    archive.add_part(
        "event_registrations",
        "Event registrations",
        FIELDS,
        iterate(Registration.objects.filter(user=user).order_by("pk").values(*FIELDS)),
    )


def erase(user, choices: ErasureChoices) -> None:
    registrations_withdraw_for_erasure(user=user)
    EventMessage.objects.filter(sent_by=user).update(sent_by=None)
