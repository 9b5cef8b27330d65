"""The staff groups and what each may do in the admin: every permission of their apps,
but for the models left out. The demo sets them up; members/migrations/0025 brought an
existing Editors group in line when registrations and subscribers were left out.

Editors curate: the library, events' public details, newsletter editions, topics. They
are not given the models that hold personal data beyond what curating needs:
    contactmessage   what people send through the contact page names them and may be
                     about money or a child: staff's to read
    registration     who registered for an event, with their access and dietary needs
                     (which can tell of someone's health): for the staff who organise
                     events. Editors see an event's numbers on the event itself.
    notice           the emails sent about each registration, to each person's address
    subscriber       newsletter subscribers' addresses and their consent records
    consent
    delivery         each email of each edition and digest, to each address
    digestdelivery
    suppression      the addresses we must never write to again: adding one by hand
                     (which unsubscribes) or lifting one is for the staff who answer
                     the person who asks
"""

from django.contrib.auth.models import Group, Permission

from members.access import EDITORS_GROUP

EDITORS_APP_LABELS = ["practice_library", "events", "newsletter", "network"]
EDITORS_LEFT_OUT = [
    "contactmessage",
    "registration",
    "notice",
    "subscriber",
    "consent",
    "delivery",
    "digestdelivery",
    "suppression",
]
MODERATORS_APP_LABELS = ["forum"]


def group_with_permissions(name: str, app_labels: list[str], left_out: list[str] = ()) -> Group:
    """The group called `name`, holding exactly the permissions of `app_labels` but for
    the models in `left_out`."""
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=app_labels).exclude(
            content_type__model__in=left_out
        )
    )
    return group


def editors_group() -> Group:
    """The Editors group with the permissions editors are meant to have."""
    return group_with_permissions(EDITORS_GROUP, EDITORS_APP_LABELS, EDITORS_LEFT_OUT)
