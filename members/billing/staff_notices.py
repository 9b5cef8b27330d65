"""Emails to the membership team (STAFF_NOTIFICATION_EMAILS) about money that needs a
person: a disputed payment, and a payment that arrived for a membership already ended.

Each is claimed before it is sent, keyed on what it is about (the dispute; the invoice),
with one conditional UPDATE of its "sent" mark (network.mail.send_once), and the mark is
given back if sending fails. Applying an event once is not enough: Stripe may deliver a
dispute again, staff can re-apply events from the admin, and a task can run twice.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from members.models import Dispute, Invoice, Subscription
from members.models.subscriptions import pounds_text
from members.organisations import organisation_admin_url
from network.mail import build_email, send_once, site_url


def _holder_admin_url(subscription: Subscription) -> str:
    if subscription.user_id:
        return site_url(reverse("admin:members_user_change", args=[subscription.user_id]))
    return organisation_admin_url(subscription.organisation_id)


def dispute_staff_notice_send(*, dispute: dict, invoice_id: int | None = None) -> bool:
    """Tell the membership team that a payment was disputed (a chargeback), with what
    Stripe says of it, when the answer is due and, when it paid one of our invoices
    (`invoice_id`), whose it is. Sent once per dispute. Returns whether it sent."""
    record, _ = Dispute.objects.get_or_create(stripe_dispute_id=dispute["id"])
    evidence_due = (dispute.get("evidence_details") or {}).get("due_by")
    invoice = (
        Invoice.objects.select_related(
            "subscription__user", "subscription__organisation", "subscription__plan"
        )
        .filter(pk=invoice_id)
        .first()
        if invoice_id
        else None
    )
    holder = invoice.subscription.holder if invoice else None
    amount = pounds_text(int(dispute.get("amount") or 0))

    def build():
        return build_email(
            template="members/billing/emails/dispute_staff",
            context={
                "invoice": invoice,
                "holder": holder,
                "holder_admin_url": _holder_admin_url(invoice.subscription) if invoice else "",
                "dispute": dispute,
                "amount": amount,
                "reason": str(dispute.get("reason") or "not given").replace("_", " "),
                "due_by": datetime.fromtimestamp(evidence_due, tz=UTC) if evidence_due else None,
                "dashboard_url": f"https://dashboard.stripe.com/disputes/{dispute.get('id', '')}",
            },
            subject=f"A payment of {amount} was disputed" + (f": {holder}" if holder else ""),
            to=settings.STAFF_NOTIFICATION_EMAILS,
        )

    return send_once(
        model=Dispute,
        pk=record.pk,
        claim=Q(staff_notified_at__isnull=True),
        field="staff_notified_at",
        value=timezone.now(),
        build=build,
    )


def paid_after_end_staff_notice_send(*, invoice_id: int) -> bool:
    """Tell the membership team that an invoice was paid for a membership that has ended
    (a council paying late, after Stripe cancelled it): the money is in, the membership
    is closed, and the payer may be invoiced again if they join again. Whether to reopen
    it or refund is the team's to decide. Sent once per invoice; returns whether it sent."""
    invoice = Invoice.objects.select_related(
        "subscription__user", "subscription__organisation", "subscription__plan"
    ).get(pk=invoice_id)
    subscription = invoice.subscription

    def build():
        return build_email(
            template="members/billing/emails/paid_after_end_staff",
            context={
                "invoice": invoice,
                "subscription": subscription,
                "admin_url": site_url(
                    reverse("admin:members_subscription_change", args=[subscription.pk])
                ),
            },
            subject=f"{invoice.amount_pounds} was paid for an ended membership: {subscription.holder}",
            to=settings.STAFF_NOTIFICATION_EMAILS,
        )

    return send_once(
        model=Invoice,
        pk=invoice.pk,
        claim=Q(paid_after_end_notice_sent_at__isnull=True),
        field="paid_after_end_notice_sent_at",
        value=timezone.now(),
        build=build,
    )
