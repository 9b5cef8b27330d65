"""What the newsletter stores about a person: their subscriber record (address, name,
choices), the consents they gave and withdrew, and each edition and digest sent to them.
See network/data_rights.py."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from network.data_rights import ErasureChoices, ExportArchive, Retention, choices_of, iterate
from newsletter import suppressions
from newsletter.models import Consent, Delivery, DigestDelivery, DigestPeriod, Subscriber

YEAR = timedelta(days=365)

RETENTION = [
    Retention(
        model="newsletter.Delivery",
        field="sent_at",
        period=YEAR,
        what="The record of each newsletter sent to each address",
        why="So a retry never sends twice, and to follow up bounces.",
        starts="after it was sent",
    ),
    Retention(
        model="newsletter.DigestDelivery",
        field="created_at",
        period=YEAR,
        what="The record of each digest sent to each subscriber",
        why="So a retry never sends twice, and to follow up bounces.",
    ),
    Retention(
        model="newsletter.Subscriber",
        field="created_at",
        period=timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS),
        what="Newsletter sign-ups never confirmed",
        why="An address nobody confirmed may not be ours to write to.",
        condition=Q(state=Subscriber.State.PENDING, confirmed_at__isnull=True, user__isnull=True),
    ),
]


def _subscribers(user):
    return Subscriber.objects.filter(Q(user=user) | Q(email=user.email.lower()))


def export(user, archive: ExportArchive) -> None:
    subscribers = _subscribers(user)
    archive.add_part(
        "newsletter_subscription",
        "Newsletter subscription",
        [
            ("email", "Email address"),
            ("name", "Name"),
            ("state", "Status", choices_of(Subscriber, "state")),
            ("weekly_digest", "Weekly digest"),
            ("daily_digest", "Daily digest"),
            ("created_at", "Signed up"),
            ("confirmed_at", "Confirmed"),
            ("unsubscribed_at", "Unsubscribed"),
        ],
        iterate(subscribers.order_by("pk").values()),
        about="Your sign-up to the newsletter and the digests you chose.",
    )
    archive.add_part(
        "newsletter_consents",
        "Newsletter consents",
        [
            ("created_at", "When"),
            (
                "action",
                "What you did",
                choices_of(
                    Consent,
                    "action",
                    to_the_person={
                        Consent.Action.ACCOUNT: "Subscribed from your account",
                        Consent.Action.ADDED: "Added by our staff at your request "
                        "(awaiting your confirmation)",
                    },
                ),
            ),
            ("form", "Where"),
            ("text", "The words you agreed to"),
            ("choices", "Your choices"),
        ],
        iterate(
            Consent.objects.filter(subscriber__in=subscribers)
            .order_by("pk")
            .values("created_at", "action", "form", "text", "choices")
        ),
        about="Each time you agreed to or withdrew from the newsletter, in the words you saw.",
    )
    archive.add_part(
        "newsletter_deliveries",
        "Newsletters sent to you",
        [
            ("edition__subject", "Newsletter"),
            ("email", "Sent to"),
            ("state", "Status", choices_of(Delivery, "state")),
            ("sent_at", "Sent"),
        ],
        iterate(
            Delivery.objects.filter(subscriber__in=subscribers)
            .order_by("pk")
            .values("edition__subject", "email", "state", "sent_at")
        ),
        about="Each newsletter we sent you.",
    )
    archive.add_part(
        "newsletter_digests",
        "Digests sent to you",
        [
            ("period__kind", "Digest", choices_of(DigestPeriod, "kind")),
            ("state", "Status", choices_of(DigestDelivery, "state")),
            ("sent_at", "Sent"),
        ],
        iterate(
            DigestDelivery.objects.filter(subscriber__in=subscribers)
            .order_by("pk")
            .values("period__kind", "state", "sent_at")
        ),
        about="Each weekly or daily digest of new posts and resources we sent you.",
    )


def erase(user, choices: ErasureChoices) -> None:
    # The subscriber record, its consents and every delivery (with the addresses) go. An
    # address that complained or bounced leaves a keyed hash behind, never the address:
    # the objection outlives the erasure (newsletter/suppressions.py).
    subscribers = _subscribers(user)
    suppressions.suppressions_keep(subscribers=subscribers)
    Delivery.objects.filter(subscriber__in=subscribers).delete()
    DigestDelivery.objects.filter(subscriber__in=subscribers).delete()
    subscribers.delete()
