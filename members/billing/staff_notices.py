"""Emails to the membership team (STAFF_NOTIFICATION_EMAILS) about money that needs a
person: a disputed payment, and a payment that arrived for a membership already ended.

Each is sent once per webhook event: its event is applied once (sync.stripe_event_apply).
"""

from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from members.models import Invoice, Subscription
from members.models.subscriptions import pounds_text
from network.mail import build_email, site_url


def _holder_admin_url(subscription: Subscription) -> str:
    if subscription.user_id:
        return site_url(reverse("admin:members_user_change", args=[subscription.user_id]))
    return site_url(
        reverse("admin:members_organisation_change", args=[subscription.organisation_id])
    )


def dispute_staff_notice_send(*, dispute: dict, invoice_id: int | None = None) -> None:
    """Tell the membership team that a payment was disputed (a chargeback), with what
    Stripe says of it, when the answer is due and, when it paid one of our invoices
    (`invoice_id`), whose it is. Sent once per event: its event is applied once
    (sync.stripe_event_apply)."""
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
    build_email(
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
    ).send()


def paid_after_end_staff_notice_send(*, invoice_id: int) -> None:
    """Tell the membership team that an invoice was paid for a membership that has ended
    (a council paying late, after Stripe cancelled it): the money is in, the membership
    is closed, and the payer may be invoiced again if they join again. Whether to reopen
    it or refund is the team's to decide."""
    invoice = Invoice.objects.select_related(
        "subscription__user", "subscription__organisation", "subscription__plan"
    ).get(pk=invoice_id)
    subscription = invoice.subscription
    build_email(
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
    ).send()
