"""Emails about memberships, each sent once: payment failed (with the portal link),
membership ending soon (non-renewing), membership ended, and a request to join (to the
person who asked, and to the membership team with a link to it in the admin; then the
team's decision to the person who asked).

Each is claimed with one conditional UPDATE of its "sent" mark before sending, and the
mark is given back if sending fails, so a retry sends it and two workers never both do.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from members import access
from members.billing import gateway
from members.models import (
    ENDED_STATUSES,
    Invoice,
    InvoiceRequest,
    MembershipGrant,
    Organisation,
    Plan,
    Seat,
    Subscription,
    SubscriptionStatus,
)
from members.organisations import membership_ended, organisation_admin_url
from network.mail import build_email, send_once, site_url


def _recipients(subscription: Subscription | MembershipGrant) -> list[str]:
    """The person, or the organisation's admins and its billing address."""
    if subscription.user_id:
        return [subscription.user.email]
    organisation = subscription.organisation
    admins = list(
        Seat.objects.filter(organisation=organisation, is_admin=True).values_list(
            "user__email", flat=True
        )
    )
    # The billing address is often an admin's own, typed with other capitals.
    if organisation.billing_email and organisation.billing_email.lower() not in {
        address.lower() for address in admins
    }:
        admins.append(organisation.billing_email)
    return admins


def _membership_goes_on(subscription: Subscription) -> bool:
    """Is the holder still a member another way (a seat, a staff grant, a new
    subscription)? "Your membership has ended" would then be untrue."""
    if subscription.user_id:
        return access.is_member(subscription.user)
    return access.organisation_membership(subscription.organisation) is not None


def payment_failed_notice_send(*, invoice_id: int) -> bool:
    invoice = Invoice.objects.select_related(
        "subscription__user", "subscription__organisation", "subscription__plan"
    ).get(pk=invoice_id)
    subscription = invoice.subscription
    grace_end = access.grace_period_end(subscription) or (
        timezone.now() + timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    )

    by_invoice = subscription.collection_method == Subscription.CollectionMethod.INVOICE
    overdue = by_invoice and invoice.due_date is not None and invoice.due_date < timezone.now()
    # The card is fine: the bank wants the payer to confirm the payment (3-D Secure), which
    # they do on the invoice's payment page. "Update your card" would send them astray.
    confirm = not by_invoice and invoice.awaits_confirmation and bool(invoice.hosted_invoice_url)
    subject = "Your membership payment did not go through"
    if overdue:
        subject = "Your membership invoice is overdue"
    elif confirm:
        subject = "Please confirm your membership payment with your bank"

    def build():
        return build_email(
            template="members/billing/emails/payment_failed",
            context={
                "subscription": subscription,
                "invoice": invoice,
                "grace_end": grace_end,
                # Told late (a delayed event), the grace may be over already.
                "still_open": access.subscription_gives_access(subscription),
                "portal_url": site_url(reverse("billing:portal")),
                "account_url": site_url(reverse("members:account")),
                "by_invoice": by_invoice,
                "overdue": overdue,
                "confirm": confirm,
            },
            subject=subject,
            to=_recipients(subscription),
        )

    return send_once(
        model=Invoice,
        pk=invoice.pk,
        claim=Q(payment_failed_notice_sent_at__isnull=True),
        field="payment_failed_notice_sent_at",
        value=timezone.now(),
        build=build,
    )


def invoice_overdue_notice_send(*, subscription_id: int) -> bool:
    """A membership billed by invoice whose invoice passed its due date unpaid: the payer
    hears of it once per invoice, with the same mark as a failed payment."""
    subscription = Subscription.objects.get(pk=subscription_id)
    if subscription.status != SubscriptionStatus.PAST_DUE:
        return False
    oldest_open = (
        subscription.invoices.filter(
            status=Invoice.Status.OPEN, paid_out_of_band=False, due_date__lt=timezone.now()
        )
        .order_by("due_date")
        .first()
    )
    if oldest_open is None:
        return False
    return payment_failed_notice_send(invoice_id=oldest_open.pk)


def ending_soon_due() -> list[int]:
    """Non-renewing memberships ending within BILLING_ENDING_REMINDER_DAYS, not yet told.
    Not those an account deletion stopped renewing: its own email said so, and "turn
    renewal back on" would mean signing in, which cancels the deletion."""
    now = timezone.now()
    return list(
        Subscription.objects.filter(
            cancel_at_period_end=True,
            status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING],
            current_period_end__gt=now,
            current_period_end__lte=now + timedelta(days=settings.BILLING_ENDING_REMINDER_DAYS),
            renewal_stopped_by__isnull=True,
        )
        .exclude(ending_reminder_sent_for=F("current_period_end"))
        .values_list("pk", flat=True)
    )


def _ending_reminder_once(membership: Subscription | MembershipGrant, *, ends, build) -> bool:
    """'Ending soon' goes once per end date (its `ending_reminder_sent_for` mark)."""
    return send_once(
        model=type(membership),
        pk=membership.pk,
        claim=~Q(ending_reminder_sent_for=ends) | Q(ending_reminder_sent_for__isnull=True),
        field="ending_reminder_sent_for",
        value=ends,
        build=build,
    )


def grant_ending_soon_due(*, today=None) -> list[int]:
    """Staff grants (a year paid by invoice outside Stripe, a partner's or a complimentary
    membership) ending within BILLING_ENDING_REMINDER_DAYS, not yet told, whose holder
    has no other membership to carry on with."""
    today = today or timezone.localdate()
    later = MembershipGrant.objects.filter(
        Q(user=OuterRef("user"), user__isnull=False)
        | Q(organisation=OuterRef("organisation"), organisation__isnull=False),
        starts_on__lte=OuterRef("ends_on") + timedelta(days=1),
        ends_on__gt=OuterRef("ends_on"),
    )
    renewing = Subscription.objects.filter(
        Q(user=OuterRef("user"), user__isnull=False)
        | Q(organisation=OuterRef("organisation"), organisation__isnull=False),
        status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING],
        cancel_at_period_end=False,
    )
    return list(
        MembershipGrant.objects.filter(
            starts_on__lte=today,
            ends_on__gte=today,
            ends_on__lte=today + timedelta(days=settings.BILLING_ENDING_REMINDER_DAYS),
        )
        .exclude(ending_reminder_sent_for=F("ends_on"))
        .exclude(Exists(later))
        .exclude(Exists(renewing))
        .values_list("pk", flat=True)
    )


def _membership_outlasts(grant: MembershipGrant) -> bool:
    """Does the person stay a member another way after their own grant ends (a seat of an
    organisation whose membership renews, or lasts longer)? "Your membership ends soon"
    would then be untrue. An organisation's own later memberships are left out of
    grant_ending_soon_due already."""
    if not grant.user_id:
        return False
    current = access.membership(grant.user)
    if current is None or current.grant == grant:
        return False
    if current.subscription is not None:
        return (
            current.subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)
            and not current.subscription.cancel_at_period_end
        )
    return current.grant is not None and current.grant.ends_on > grant.ends_on


def grant_ending_soon_notice_send(*, grant_id: int) -> bool:
    grant = MembershipGrant.objects.select_related("user", "organisation").get(pk=grant_id)
    if _membership_outlasts(grant):
        return False

    def build():
        return build_email(
            template="members/billing/emails/grant_ending_soon",
            context={
                "grant": grant,
                "paid_by_invoice": grant.reason == MembershipGrant.Reason.INVOICE_PAID_OFFLINE,
                "membership_url": site_url(reverse("membership")),
                "account_url": site_url(reverse("members:account")),
            },
            subject="Your membership ends soon",
            to=_recipients(grant),
        )

    # A grant extended later earns a new reminder.
    return _ending_reminder_once(grant, ends=grant.ends_on, build=build)


def ending_soon_notice_send(*, subscription_id: int) -> bool:
    subscription = Subscription.objects.select_related("user", "organisation", "plan").get(
        pk=subscription_id
    )
    if not subscription.cancel_at_period_end or subscription.current_period_end is None:
        return False

    def build():
        return build_email(
            template="members/billing/emails/ending_soon",
            context={
                "subscription": subscription,
                "ends_at": subscription.current_period_end,
                "account_url": site_url(reverse("members:account")),
                "portal_url": site_url(reverse("billing:portal")),
            },
            subject="Your membership ends soon",
            to=_recipients(subscription),
        )

    # Renewing and cancelling again later earns a new reminder.
    return _ending_reminder_once(subscription, ends=subscription.current_period_end, build=build)


def ended_notices_due() -> list[int]:
    return list(
        Subscription.objects.filter(status__in=ENDED_STATUSES, ended_notice_sent_at__isnull=True)
        .filter(ended_at__gte=timezone.now() - timedelta(days=7))
        .values_list("pk", flat=True)
    )


def membership_ended_notice_send(*, subscription_id: int) -> bool:
    subscription = Subscription.objects.select_related("user", "organisation", "plan").get(
        pk=subscription_id
    )
    if subscription.status not in ENDED_STATUSES:
        return False
    if _membership_goes_on(subscription):
        return False
    # Unpaid, Stripe keeps the subscription for its payment: paying it, not joining again
    # (which would be charged beside it), is what opens the membership.
    payment_owed = subscription.status == SubscriptionStatus.UNPAID

    def build():
        return build_email(
            template="members/billing/emails/ended",
            context={
                "subscription": subscription,
                "payment_owed": payment_owed,
                "by_invoice": subscription.collection_method
                == Subscription.CollectionMethod.INVOICE,
                "membership_url": site_url(reverse("membership")),
                "portal_url": site_url(reverse("billing:portal")),
                "account_url": site_url(reverse("members:account")),
            },
            subject=(
                "Your membership is closed until it is paid"
                if payment_owed
                else "Your membership has ended"
            ),
            to=_recipients(subscription),
        )

    now = timezone.now()
    untold = Q(ended_notice_sent_at__isnull=True)
    if subscription.organisation_id and membership_ended.admins_told_lately(
        subscription.organisation, mark=now
    ):
        # Its admins were told its staff grant ran out with it: one ending, one email.
        sent = bool(
            Subscription.objects.filter(untold, pk=subscription.pk).update(ended_notice_sent_at=now)
        )
    else:
        sent = send_once(
            model=Subscription,
            pk=subscription.pk,
            claim=untold,
            field="ended_notice_sent_at",
            value=now,
            build=build,
        )
    if sent and subscription.organisation_id:
        # The other people in its seats lose access too; told once the admins have been.
        from members.organisations.tasks import membership_ended_seat_holders_send

        membership_ended_seat_holders_send.delay(subscription.pk)
    return sent


def _invoice_request(invoice_request_id: int) -> InvoiceRequest | None:
    return (
        InvoiceRequest.objects.select_related("plan", "organisation", "requested_by")
        .filter(pk=invoice_request_id)
        .first()
    )


def invoice_request_received_notice_send(*, invoice_request_id: int) -> bool:
    """Tell the person who asked that we have their request, and where to follow it."""
    request = _invoice_request(invoice_request_id)
    if request is None:
        return False

    def build():
        return build_email(
            template="members/billing/emails/request_received",
            context={
                "invoice_request": request,
                "organisation": request.organisation,
                "account_url": site_url(reverse("members:account")),
                # With Stripe and no approval step the subscription is created at once.
                "starts_at_once": gateway.is_configured()
                and not settings.BILLING_INVOICE_REQUESTS_NEED_APPROVAL,
            },
            subject=f"We have your request to join: {request.plan}",
            to=[request.requested_by.email],
        )

    return send_once(
        model=InvoiceRequest,
        pk=request.pk,
        claim=Q(requester_notified_at__isnull=True),
        field="requester_notified_at",
        value=timezone.now(),
        build=build,
    )


def _namesakes(request: InvoiceRequest) -> list[tuple[Organisation, str]]:
    """Other organisations of the same name, with their admin pages: a colleague asking
    for their organisation (not knowing it is a member) creates a second one, and the
    team should see that before approving a second membership."""
    if request.plan.holder != Plan.Holder.ORGANISATION:
        return []
    others = Organisation.objects.filter(name__iexact=request.organisation.name).exclude(
        pk=request.organisation_id
    )
    return [(other, organisation_admin_url(other.pk)) for other in others.order_by("created_at")]


def invoice_request_staff_notice_send(*, invoice_request_id: int) -> bool:
    """Tell the membership team (STAFF_NOTIFICATION_EMAILS), linking to the admin."""
    request = _invoice_request(invoice_request_id)
    if request is None:
        return False

    def build():
        return build_email(
            template="members/billing/emails/request_staff",
            context={
                "invoice_request": request,
                "organisation": request.organisation,
                "admin_url": site_url(
                    reverse("admin:members_invoicerequest_change", args=[request.pk])
                ),
                "namesakes": _namesakes(request),
            },
            subject=f"Request to join {request.plan} from {request.requested_by}",
            to=settings.STAFF_NOTIFICATION_EMAILS,
            reply_to=[request.requested_by.email],
        )

    return send_once(
        model=InvoiceRequest,
        pk=request.pk,
        claim=Q(staff_notified_at__isnull=True),
        field="staff_notified_at",
        value=timezone.now(),
        build=build,
    )


def invoice_request_decision_notice_send(*, invoice_request_id: int) -> bool:
    """Tell the person who asked what the membership team decided: approved (a membership
    granted for a year, or a subscription billed by invoice) or not approved."""
    request = _invoice_request(invoice_request_id)
    if request is None or request.status == InvoiceRequest.Status.PENDING:
        return False
    approved = request.status != InvoiceRequest.Status.REJECTED

    def build():
        return build_email(
            template="members/billing/emails/request_decided",
            context={
                "invoice_request": request,
                "organisation": request.organisation,
                "approved": approved,
                "grant": request.grant if request.status == InvoiceRequest.Status.GRANTED else None,
                "account_url": site_url(reverse("members:account")),
                "contact_url": site_url(reverse("contact")),
            },
            subject=(
                f"Your membership has started: {request.plan}"
                if approved
                else f"Your request to join {request.plan} was declined"
            ),
            to=[request.requested_by.email],
        )

    return send_once(
        model=InvoiceRequest,
        pk=request.pk,
        claim=Q(decision_notified_at__isnull=True),
        field="decision_notified_at",
        value=timezone.now(),
        build=build,
    )
