"""Paying by invoice against a PO number (councils and other public bodies): the
request, staff approval (a Stripe subscription billed by invoice), rejection, and an
invoice paid outside Stripe.

Without Stripe keys the same request is the way into every plan, personal ones too:
nothing opens until staff approve, and approving grants a year of the plan's type.
Each request emails the person who asked and the membership team, once each.

Stripe is reached through members/billing/gateway.py only.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from members import access
from members.access.subscriptions import current_grants, unpaid_invoice_q
from members.billing import gateway, tasks
from members.billing.services import (
    ALREADY_PERSONAL_MEMBER,
    PAYMENT_OUTSTANDING,
    card_payments_enabled,
    is_second_personal_membership,
    organisation_for_buyer,
    personal_payment_outstanding,
    unique_slug,
)
from members.billing.sync import (
    META_ORGANISATION,
    META_PLAN,
    META_USER,
    invoice_write,
    subscription_sync,
    subscription_write,
)
from members.models import (
    Invoice,
    InvoiceRequest,
    MembershipGrant,
    Organisation,
    Plan,
    Subscription,
    User,
)

logger = logging.getLogger(__name__)


# --- Paying by invoice -----------------------------------------------------------------


def unpaid_invoice_of(user: User) -> Invoice | None:
    """An invoice past its due date and never paid, of a membership `user` held, asked for
    by invoice, or runs the organisation of. A membership by invoice opens before it is
    paid; someone whose last one was never paid asks again by card (paid at once), or
    pays that invoice first, rather than opening the network unpaid again under another
    organisation's name."""
    organisations = Organisation.objects.filter(
        Q(seats__user=user, seats__is_admin=True) | Q(invoice_requests__requested_by=user)
    ).values("pk")
    return (
        Invoice.objects.filter(
            Q(subscription__user=user) | Q(subscription__organisation__in=organisations),
            unpaid_invoice_q(due_before=timezone.now()),
        )
        .order_by("due_date")
        .first()
    )


def _unpaid_invoice_refusal(invoice: Invoice) -> str:
    due = date_format(timezone.localtime(invoice.due_date), "j F Y")
    return (
        f"Invoice {invoice} ({invoice.amount_pounds}, due {due}) for a membership you "
        "asked for is still unpaid, so a new membership cannot start by invoice. Pay that "
        "invoice (your account page links to it), pay for the new membership by card, or "
        "tell us through the contact page if it has been paid."
    )


def invoice_request_submit(
    *,
    user: User,
    plan: Plan,
    seats: int,
    organisation_name: str,
    region: str,
    contact_name: str,
    billing_email: str,
    billing_address: str,
    purchase_order_number: str,
) -> InvoiceRequest:
    """Record a request to pay by invoice; create the subscription at once unless staff
    approve requests first (BILLING_INVOICE_REQUESTS_NEED_APPROVAL) or Stripe is not set up.
    """
    if not plan.is_active or not (plan.allow_invoice or not card_payments_enabled()):
        raise ValidationError({"plan": "This plan cannot be paid by invoice."})
    if is_second_personal_membership(user, plan):
        raise ValidationError(ALREADY_PERSONAL_MEMBER)
    if personal_payment_outstanding(user, plan):
        raise ValidationError(PAYMENT_OUTSTANDING)
    unpaid = unpaid_invoice_of(user)
    if unpaid is not None:
        raise ValidationError(_unpaid_invoice_refusal(unpaid))
    if plan.holder == Plan.Holder.INDIVIDUAL:
        seats = 1
    elif seats < plan.seats:
        raise ValidationError({"seats": f"This plan starts at {plan.seats} seats."})
    with transaction.atomic(durable=True):
        # One request at a time per person and plan, even from two tabs at once: the
        # person's row is the lock.
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        if InvoiceRequest.objects.filter(
            requested_by=user, plan=plan, status=InvoiceRequest.Status.PENDING
        ).exists():
            raise ValidationError(
                "You have already asked to join this plan, and the membership team has not "
                "answered yet. Your account page shows where the request stands."
            )
        if plan.holder == Plan.Holder.ORGANISATION:
            organisation = organisation_for_buyer(
                user=user, name=organisation_name, org_type=plan.member_type, region=region
            )
            # Two admins renewing the same organisation would be invoiced twice.
            waiting = (
                organisation.invoice_requests.select_for_update()
                .filter(status=InvoiceRequest.Status.PENDING)
                .select_related("requested_by")
                .first()
            )
            if waiting is not None:
                raise ValidationError(
                    f"{waiting.requested_by} already asked for {organisation}'s membership on "
                    f"{date_format(timezone.localtime(waiting.created_at), 'j F Y')}, and the "
                    "membership team has not answered yet. The organisation's page shows it."
                )
        else:
            # A person's own membership, invoiced to the body that pays for it.
            organisation = Organisation.objects.create(
                name=organisation_name,
                slug=unique_slug(organisation_name),
                org_type=plan.member_type,
                region=region,
            )
        organisation.billing_contact_name = contact_name
        organisation.billing_email = billing_email
        organisation.billing_address = billing_address
        organisation.purchase_order_number = purchase_order_number
        if region and not organisation.region:
            organisation.region = region
        organisation.save(
            update_fields=[
                "billing_contact_name",
                "billing_email",
                "billing_address",
                "purchase_order_number",
                "region",
            ]
        )
        request = InvoiceRequest.objects.create(
            requested_by=user,
            plan=plan,
            organisation=organisation,
            seats=seats,
            purchase_order_number=purchase_order_number,
        )
        tasks.invoice_request_received_notice_send.delay_on_commit(request.pk)
        tasks.invoice_request_staff_notice_send.delay_on_commit(request.pk)
    if settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL or not card_payments_enabled():
        return request
    try:
        invoice_request_approve(invoice_request=request)
    except gateway.StripeUnavailable:
        # Kept for staff to approve once Stripe answers; the person is told so.
        InvoiceRequest.objects.filter(pk=request.pk).update(
            detail="Stripe could not be reached when the request was made; approve it again."
        )
    request.refresh_from_db()
    return request


def _request_grant(*, request: InvoiceRequest, approved_by: User | None) -> MembershipGrant:
    """Without Stripe no subscription can be created, so approving grants a year of the
    plan's type: to the person for a personal plan, to the organisation (with the seats
    asked for, the buyer already holding the first) for an organisation plan."""
    if request.grant_id:
        return request.grant
    plan = request.plan
    personal = plan.holder == Plan.Holder.INDIVIDUAL
    today = timezone.localdate()
    # Renewing before the current year ends (the reminder asks for it two weeks ahead)
    # adds a year to its end rather than losing the days still paid for. The new grant
    # starts today all the same, so it is the current one and pages show its end.
    holder = {"user": request.requested_by} if personal else {"organisation": request.organisation}
    running = (
        current_grants(today)
        .filter(**holder, reason=MembershipGrant.Reason.INVOICE_PAID_OFFLINE)
        .order_by("-ends_on")
        .first()
    )
    renewed_from = running.ends_on if running is not None else today
    with transaction.atomic():
        locked = InvoiceRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != InvoiceRequest.Status.PENDING:
            raise ValidationError("This request has already been decided.")
        user = request.requested_by if personal else None
        organisation = None if personal else request.organisation
        grant = MembershipGrant(
            user=user,
            organisation=organisation,
            member_type=plan.member_type,
            seats=1 if personal else request.seats,
            starts_on=today,
            ends_on=renewed_from + timedelta(days=365),
            reason=MembershipGrant.Reason.INVOICE_PAID_OFFLINE,
            note=f"Approved request to join {plan} (Stripe was not set up).",
            granted_by=approved_by,
        )
        grant.full_clean()
        grant.save()
        InvoiceRequest.objects.filter(pk=request.pk).update(
            status=InvoiceRequest.Status.GRANTED,
            grant=grant,
            decided_by=approved_by,
            decided_at=timezone.now(),
            detail=f"Stripe is not set up: a year's membership was granted until {grant.ends_on}.",
        )
        tasks.invoice_request_decision_notice_send.delay_on_commit(request.pk)
    access.forget(request.requested_by)
    logger.info("request granted request=%s grant=%s", request.pk, grant.pk)
    return grant


def invoice_request_approve(
    *, invoice_request: InvoiceRequest, approved_by: User | None = None
) -> Subscription | MembershipGrant:
    """Create the subscription billed by invoice: a Stripe customer carrying the billing
    details and the PO number, then `collection_method=send_invoice` with seats as the
    quantity. Access starts now; an invoice unpaid past its due date plus the grace
    period ends it. Without Stripe keys, grant a year of the plan's type instead."""
    request = InvoiceRequest.objects.select_related("plan", "organisation", "requested_by").get(
        pk=invoice_request.pk
    )
    if not card_payments_enabled():
        if request.status == InvoiceRequest.Status.REJECTED:
            raise ValidationError("This request was rejected.")
        return _request_grant(request=request, approved_by=approved_by)
    if request.status == InvoiceRequest.Status.CREATED and request.subscription_id:
        return request.subscription
    if request.status == InvoiceRequest.Status.REJECTED:
        raise ValidationError("This request was rejected.")
    plan, organisation = request.plan, request.organisation
    if not plan.stripe_price_id:
        raise ValidationError(f"The plan {plan} has no Stripe price id yet.")
    personal = plan.holder == Plan.Holder.INDIVIDUAL
    metadata = {META_PLAN: str(plan.pk), META_ORGANISATION: str(organisation.pk)}
    if personal:
        metadata = {META_PLAN: str(plan.pk), META_USER: str(request.requested_by_id)}
    customer_id = organisation.stripe_customer_id
    if not customer_id:
        customer_id = gateway.customer_create(
            name=organisation.name,
            email=organisation.billing_email,
            address=organisation.billing_address,
            contact_name=organisation.billing_contact_name,
            po_number=request.purchase_order_number,
            metadata={META_ORGANISATION: str(organisation.pk)},
            idempotency_key=f"invoice-request-customer-{request.pk}",
        )
        Organisation.objects.filter(pk=organisation.pk).update(stripe_customer_id=customer_id)
    else:
        # Coming back, or paid by card before: this request's PO number and billing
        # contact, not an earlier one's, go on the invoices.
        gateway.customer_update(
            customer_id,
            name=organisation.name,
            email=organisation.billing_email,
            address=organisation.billing_address,
            contact_name=organisation.billing_contact_name,
            po_number=request.purchase_order_number,
        )
    state = gateway.subscription_create_invoiced(
        customer_id=customer_id,
        price_id=plan.stripe_price_id,
        quantity=request.seats,
        days_until_due=settings.BILLING_INVOICE_DAYS_UNTIL_DUE,
        metadata=metadata,
        idempotency_key=f"invoice-request-subscription-{request.pk}",
    )
    with transaction.atomic():
        subscription = subscription_write(
            state=state,
            user=request.requested_by if personal else None,
            organisation=None if personal else organisation,
            plan=plan,
        )
        InvoiceRequest.objects.filter(pk=request.pk).update(
            status=InvoiceRequest.Status.CREATED,
            subscription=subscription,
            decided_by=approved_by,
            decided_at=timezone.now(),
            detail=f"Subscription {state.id} created, billed by invoice.",
        )
        if approved_by is not None:
            # Approved by the team after waiting: tell the person. (Created at once, the
            # first email already said the membership starts as soon as it is set up.)
            tasks.invoice_request_decision_notice_send.delay_on_commit(request.pk)
    logger.info("invoice subscription created request=%s subscription=%s", request.pk, state.id)
    return subscription


def invoice_request_reject(
    *, invoice_request: InvoiceRequest, rejected_by: User, reason: str
) -> None:
    rejected = InvoiceRequest.objects.filter(
        pk=invoice_request.pk, status=InvoiceRequest.Status.PENDING
    ).update(
        status=InvoiceRequest.Status.REJECTED,
        decided_by=rejected_by,
        decided_at=timezone.now(),
        detail=reason,
    )
    if rejected:
        tasks.invoice_request_decision_notice_send.delay_on_commit(invoice_request.pk)


def invoice_mark_paid_out_of_band(*, invoice: Invoice) -> Invoice:
    """Staff saw the bank transfer arrive: tell Stripe the invoice is paid outside it."""
    if invoice.status == Invoice.Status.PAID:
        return invoice
    if invoice.status != Invoice.Status.OPEN:
        raise ValidationError(
            f"Only open invoices can be marked paid (this one is {invoice.status})."
        )
    state = gateway.invoice_pay_out_of_band(invoice.stripe_invoice_id)
    with transaction.atomic():
        invoice_write(state=state, subscription=invoice.subscription, paid_out_of_band=True)
    # Paying the overdue invoice brings a past_due subscription back to active.
    subscription_sync(stripe_subscription_id=invoice.subscription.stripe_subscription_id)
    invoice.refresh_from_db()
    return invoice
