"""What each role gets from each newsletter URL (the project-wide access-matrix test;
format in members/access_matrix.py).

The signed token in a link is the only credential for confirming, preferences and
unsubscribing, so every role holding someone else's valid link gets the page (that is
the design: mail clients and people without accounts use them); a forged token gets a
clear 400 page. A members-only archived edition opens for members, editors and staff.

In the admin (the rest of it in members/access_expectations/accounts.py), subscribers'
addresses, and the emails sent to each address, are for staff: editors are refused them
(members/staff_groups.py) and follow an edition's sending by its numbers.
"""

from datetime import timedelta

from django.utils import timezone

from members.models import MemberType
from newsletter import tokens
from newsletter.models import (
    Delivery,
    DigestDelivery,
    DigestPeriod,
    Edition,
    Newsletter,
    Subscriber,
)

_STAFF = {"staff": 200, "editor": 403, "*": 302}
_EDITORS_TOO = {"staff": 200, "editor": 200, "*": 302}

EXPECTED: dict[str, dict[str, int]] = {
    "newsletter:index": {"*": 200},
    "newsletter:check_email": {"*": 200},
    "newsletter:confirm[valid]": {"*": 200},
    "newsletter:confirm[forged]": {"*": 400},
    "newsletter:preferences[valid]": {"*": 200},
    "newsletter:preferences[forged]": {"*": 400},
    "newsletter:unsubscribe[valid]": {"*": 200},
    "newsletter:unsubscribe[forged]": {"*": 400},
    "newsletter:archive": {"*": 200},
    "newsletter:edition[public]": {"*": 200},
    "newsletter:edition[members]": {
        "anonymous": 302,
        "registered": 403,
        "lapsed": 403,
        "*": 200,
    },
    # A members-only edition of the commissioners' newsletter: commissioners, editors and
    # staff; members of other types (whatever their own profile says) are refused.
    "newsletter:edition[commissioners]": {
        "anonymous": 302,
        "commissioner_member": 200,
        "editor": 200,
        "staff": 200,
        "*": 403,
    },
    "newsletter:edition[draft]": {"*": 404},
    # A link in an edition: the signature is the credential, nobody is recognised.
    "newsletter:link[signed]": {"*": 302},
    "newsletter:link[unsigned]": {"*": 400},
    # The email service's webhooks (bounces, complaints, mail to the unsubscribe address)
    # take POSTs authenticated with ANYMAIL["WEBHOOK_SECRET"] only, and refuse everything
    # while no secret is set (as here).
    "anymail:*": {"*": 403},
    # Each model's every page (a glob), and its list and one row named strictly.
    "admin:newsletter_subscriber_*": _STAFF,
    "admin:newsletter_subscriber_changelist": _STAFF,
    "admin:newsletter_subscriber_change": _STAFF,
    "admin:newsletter_subscriber_add": _STAFF,
    "admin:newsletter_delivery_*": _STAFF,
    "admin:newsletter_delivery_changelist": _STAFF,
    "admin:newsletter_delivery_change": _STAFF,
    "admin:newsletter_digestdelivery_*": _STAFF,
    "admin:newsletter_digestdelivery_changelist": _STAFF,
    "admin:newsletter_digestdelivery_change": _STAFF,
    "admin:newsletter_edition_changelist": _EDITORS_TOO,
    "admin:newsletter_edition_progress": _EDITORS_TOO,
}


def url_kwargs(people: dict) -> dict[str, dict]:
    newsletter = Newsletter.objects.create(name="Access matrix news", slug="access-matrix-news")
    subscriber = Subscriber.objects.create(
        email="reader@elsewhere.example.net", state=Subscriber.State.PENDING
    )

    def edition(subject: str, **fields) -> Edition:
        return Edition.objects.create(newsletter=newsletter, subject=subject, **fields)

    sent = {"status": Edition.Status.SENT, "finished_at": timezone.now()}
    public = edition("Public edition", archive_access=Edition.ArchiveAccess.PUBLIC, **sent)
    members = edition("Members' edition", archive_access=Edition.ArchiveAccess.MEMBERS, **sent)
    draft = edition("Draft edition")
    briefing = Newsletter.objects.create(
        name="Access matrix briefing",
        slug="access-matrix-briefing",
        restricted_to=MemberType.COMMISSIONER,
    )
    for_commissioners = Edition.objects.create(
        newsletter=briefing,
        subject="Commissioners' edition",
        archive_access=Edition.ArchiveAccess.MEMBERS,
        **sent,
    )

    def token(purpose: str) -> dict:
        return {"token": tokens.subscriber_token(subscriber, purpose=purpose)}

    delivery = Delivery.objects.create(
        edition=public, subscriber=subscriber, email=subscriber.email
    )
    period = DigestPeriod.objects.create(
        kind=DigestPeriod.Kind.WEEKLY,
        period_start=timezone.now() - timedelta(days=7),
        period_end=timezone.now(),
    )
    digest = DigestDelivery.objects.create(period=period, subscriber=subscriber)
    forged = {"token": "forged:token"}
    return {
        "admin:newsletter_subscriber_*": {"object_id": str(subscriber.pk)},
        "admin:newsletter_subscriber_change": {"object_id": str(subscriber.pk)},
        "admin:newsletter_delivery_*": {"object_id": str(delivery.pk)},
        "admin:newsletter_delivery_change": {"object_id": str(delivery.pk)},
        "admin:newsletter_digestdelivery_*": {"object_id": str(digest.pk)},
        "admin:newsletter_digestdelivery_change": {"object_id": str(digest.pk)},
        "admin:newsletter_edition_progress": {"pk": public.pk},
        "newsletter:confirm[valid]": token(tokens.CONFIRM),
        "newsletter:confirm[forged]": forged,
        "newsletter:preferences[valid]": token(tokens.PREFERENCES),
        "newsletter:preferences[forged]": forged,
        "newsletter:unsubscribe[valid]": token(tokens.UNSUBSCRIBE),
        "newsletter:unsubscribe[forged]": forged,
        "newsletter:edition[public]": {"pk": public.pk},
        "newsletter:edition[members]": {"pk": members.pk},
        "newsletter:edition[commissioners]": {"pk": for_commissioners.pk},
        "newsletter:edition[draft]": {"pk": draft.pk},
        "newsletter:link[signed]": {
            "edition": public.pk,
            "token": tokens.link_token(edition_id=public.pk, url="https://www.gov.uk/ofsted"),
        },
        "newsletter:link[unsigned]": {"edition": public.pk, "token": "https:--evil.example"},
    }
