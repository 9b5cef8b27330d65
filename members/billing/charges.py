"""What happens to a payment after its invoice is paid: refunds staff make in Stripe,
and disputes (chargebacks) the payer raises with their bank.

Both reach us as events about a charge or a refund, which since API version 2025-03-31
no longer name an invoice: the payment intent they carry leads to it
(gateway.invoice_paid_by). A refund changes no one's access. Stripe does not cancel a
subscription when a payment of it is refunded, so the membership follows the
subscription's state as before; staff who mean to end it cancel it in Stripe too.
"""

from django.db import transaction

from members.billing import gateway
from members.billing.stripe_objects import object_id
from members.billing.sync import NotOurs, invoice_sync
from members.models import Invoice

REFUND_EVENTS = {
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "refund.failed",
}
# What Stripe counts in a charge's `amount_refunded`: a refund failed or cancelled gives
# nothing back, and its amount is left out again.
COUNTED_REFUND_STATUSES = {"pending", "requires_action", "succeeded"}


def _invoice_id_for(obj: dict) -> str:
    """The Stripe invoice a charge, refund or dispute is about; NotOurs when none."""
    intent = object_id(obj.get("payment_intent"))
    if not intent:
        raise NotOurs(f"{obj.get('object')} {obj.get('id')} has no payment intent")
    invoice_id = gateway.invoice_paid_by(intent)
    if invoice_id is None:
        raise NotOurs(f"payment {intent} was for no invoice")
    return invoice_id


def invoice_refunds_sync(*, stripe_invoice_id: str) -> Invoice:
    """Record what has been refunded of an invoice, as Stripe has it now. Raises NotOurs
    for an invoice of no subscription of ours."""
    if not Invoice.objects.filter(stripe_invoice_id=stripe_invoice_id).exists():
        # The refund came first, or the invoice's own events never did: copy it now.
        invoice_sync(stripe_invoice_id=stripe_invoice_id)
    with transaction.atomic():
        # Lock our row before reading Stripe, so that two workers applying events of the
        # same invoice's refunds write one after the other, the later read last.
        invoice = Invoice.objects.select_for_update().get(stripe_invoice_id=stripe_invoice_id)
        counted = [
            refund
            for refund in gateway.invoice_refunds(stripe_invoice_id)
            if refund.status in COUNTED_REFUND_STATUSES
        ]
        invoice.amount_refunded_pence = sum(refund.amount_pence for refund in counted)
        made = [refund.created for refund in counted if refund.created]
        invoice.refunded_at = max(made) if made else None
        invoice.save(update_fields=["amount_refunded_pence", "refunded_at"])
    return invoice


def refund_apply(obj: dict) -> str:
    """A charge refunded, or a refund made, changed or failed: every refund of its
    invoice is read again, so events that come twice or out of order change nothing."""
    invoice = invoice_refunds_sync(stripe_invoice_id=_invoice_id_for(obj))
    return f"Invoice {invoice.stripe_invoice_id}: {invoice.refund_text or 'nothing refunded'}."


def dispute_apply(obj: dict) -> str:
    """A chargeback has a deadline for answering it in Stripe, and no page of ours shows
    it: the membership team is told at once, with whose payment it is when it paid one of
    our invoices. Access is theirs to decide."""
    from members.billing import tasks

    try:
        invoice_id = _invoice_id_for(obj)
        invoice = Invoice.objects.filter(stripe_invoice_id=invoice_id).first()
        if invoice is None:
            invoice = invoice_sync(stripe_invoice_id=invoice_id)
    except NotOurs:
        invoice = None
    tasks.dispute_staff_notice_send.delay_on_commit(obj, invoice.pk if invoice else None)
    return f"Dispute {obj.get('id')} on charge {obj.get('charge')}: the team is told."
