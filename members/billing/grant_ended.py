"""A person's own staff grant (a year paid by invoice outside Stripe, a partner's or a
complimentary membership) has run out: they are told once, as a subscription's holder
is when it ends. They had the "ending soon" email (notices.py); without this, access
closed with no word. An organisation's grant is told by
members/organisations/membership_ended.py, to its admins and then its seat holders.
"""

from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone

from members import access
from members.models import MembershipGrant
from members.organisations.membership_ended import GRANT_ENDED_UNTOLD, GRANT_ENDED_WITHIN_DAYS
from network.mail import build_email, send_once, site_url


def personal_grants_ended_due(*, today: date | None = None) -> list[int]:
    """People's own grants that ended lately, not yet told, and not followed by another."""
    today = today or timezone.localdate()
    renewed = MembershipGrant.objects.filter(
        user=OuterRef("user"),
        starts_on__lte=OuterRef("ends_on") + timedelta(days=1),
        ends_on__gt=OuterRef("ends_on"),
    )
    return list(
        MembershipGrant.objects.filter(
            user__isnull=False,
            ends_on__lt=today,
            ends_on__gte=today - timedelta(days=GRANT_ENDED_WITHIN_DAYS),
        )
        .exclude(ended_notice_sent_for=F("ends_on"))
        .exclude(Exists(renewed))
        .values_list("pk", flat=True)
    )


def personal_grant_ended_send(*, grant_id: int) -> bool:
    """Tell the person their grant has ended, once per end date; nothing while they are
    a member another way (a seat, a subscription). Returns whether it was sent."""
    grant = (
        MembershipGrant.objects.select_related("user")
        .filter(pk=grant_id, user__isnull=False, ends_on__lt=timezone.localdate())
        .first()
    )
    if grant is None:
        return False
    person = grant.user
    if not person.is_active or person.is_erased or access.membership(person) is not None:
        return False

    def build():
        return build_email(
            template="members/billing/emails/personal_grant_ended",
            context={
                "grant": grant,
                "paid_by_invoice": grant.reason == MembershipGrant.Reason.INVOICE_PAID_OFFLINE,
                "membership_url": site_url(reverse("membership")),
                "contact_url": site_url(reverse("contact")),
                "account_url": site_url(reverse("members:account")),
            },
            subject="Your membership has ended",
            to=[person.email],
        )

    # A grant extended and run out again earns a new email.
    return send_once(
        model=MembershipGrant,
        pk=grant.pk,
        claim=GRANT_ENDED_UNTOLD,
        field="ended_notice_sent_for",
        value=grant.ends_on,
        build=build,
    )
