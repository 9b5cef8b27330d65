"""An organisation's own details (name, region, billing contact, billing address, PO
number), as its admins correct them.

Every change is recorded (OrganisationDetailsChange). The name is printed on invoices
and in the staff's reports, so the membership team is told when it changes. An
organisation with a Stripe customer has that customer brought up to date, so the
invoices Stripe sends from now on carry the new details; invoices already issued keep
the details they were finalised with (Stripe freezes them on the invoice). When Stripe
cannot be reached the change is saved all the same, and a task tries again, backing off.
"""

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from members.billing import gateway
from members.models import Organisation, OrganisationDetailsChange, User
from members.organisations import organisation_admin_url
from members.organisations.seats import organisation_lock
from network.mail import build_email, send_once, site_url

logger = logging.getLogger(__name__)

DETAILS_FIELDS = OrganisationDetailsChange.DETAILS_FIELDS

StripeUpdate = OrganisationDetailsChange.StripeUpdate


def organisation_details_change(
    *, organisation: Organisation, changed_by: User, details: dict[str, Any]
) -> OrganisationDetailsChange | None:
    """Save the organisation's new details and record what changed; None when nothing
    did. Then brings Stripe's customer up to date: Stripe being unreachable does not undo
    the change, it leaves the record's `stripe_update` pending for a task to finish."""
    from members.organisations.tasks import organisation_renamed_staff_notice_send

    with transaction.atomic(durable=True):
        current = organisation_lock(organisation)
        changed = [
            name
            for name in DETAILS_FIELDS
            if name in details and getattr(current, name) != details[name]
        ]
        if not changed:
            return None
        values = {
            name: [getattr(current, name), details[name]]
            for name in changed
            if name in OrganisationDetailsChange.VALUE_FIELDS
        }
        for name in changed:
            setattr(current, name, details[name])
        current.full_clean()
        current.save(update_fields=changed)
        needs_stripe = bool(current.stripe_customer_id) and gateway.is_configured()
        change = OrganisationDetailsChange.objects.create(
            organisation=current,
            changed_by=changed_by,
            fields_changed=changed,
            values=values,
            stripe_update=StripeUpdate.PENDING if needs_stripe else StripeUpdate.NOT_NEEDED,
        )
        if change.name_changed:
            organisation_renamed_staff_notice_send.delay_on_commit(change.pk)
    for name in changed:
        setattr(organisation, name, getattr(current, name))
    if needs_stripe:
        _stripe_update_now_or_later(change)
    return change


def _stripe_update_now_or_later(change: OrganisationDetailsChange) -> None:
    """Try at once, so the admin hears whether it worked; if Stripe cannot be reached,
    hand it to a task that tries again with backoff."""
    from members.organisations.tasks import organisation_customer_update

    try:
        organisation_customer_update_apply(change=change)
    except gateway.StripeUnavailable:
        organisation_customer_update.apply_async((change.pk,), countdown=60)


def organisation_customer_update_apply(*, change: OrganisationDetailsChange) -> None:
    """Give the organisation's Stripe customer its details as they are now (not as this
    change left them: a later change may have followed, and the latest must win).
    Marks every change it carries done; records a refusal, which asking
    again would not change. Raises StripeUnavailable, recorded on the change, while
    Stripe cannot be reached."""
    change.refresh_from_db(fields=["stripe_update"])
    if change.stripe_update != StripeUpdate.PENDING:
        return  # a later change's update carried it already
    pending = OrganisationDetailsChange.objects.filter(
        organisation_id=change.organisation_id, stripe_update=StripeUpdate.PENDING
    )
    # Every change recorded before the organisation is read below is in what is sent
    # (each is saved with the organisation in one transaction), so all of those are
    # done by this one call; one recorded a moment later waits for its own.
    latest = pending.order_by("-pk").values_list("pk", flat=True).first() or change.pk
    organisation = Organisation.objects.get(pk=change.organisation_id)
    try:
        gateway.customer_update(
            organisation.stripe_customer_id,
            name=organisation.name,
            email=organisation.billing_email,
            address=organisation.billing_address,
            contact_name=organisation.billing_contact_name,
            po_number=organisation.purchase_order_number,
        )
    except gateway.StripeUnavailable as error:
        OrganisationDetailsChange.objects.filter(pk=change.pk).update(stripe_error=str(error))
        change.stripe_error = str(error)
        raise
    except gateway.StripeRejected as error:
        from members.organisations.tasks import organisation_stripe_refused_staff_notice_send

        logger.warning("stripe refused the details of organisation %s: %s", organisation.pk, error)
        pending.filter(pk=change.pk).update(
            stripe_update=StripeUpdate.FAILED, stripe_error=str(error)
        )
        change.stripe_update, change.stripe_error = StripeUpdate.FAILED, str(error)
        organisation_stripe_refused_staff_notice_send.delay_on_commit(change.pk)
        return
    now = timezone.now()
    pending.filter(pk__lte=latest).update(stripe_update=StripeUpdate.DONE, stripe_updated_at=now)
    change.stripe_update, change.stripe_updated_at = StripeUpdate.DONE, now


def organisation_renamed_staff_notice_send(*, change_id: int) -> bool:
    """Tell the membership team that an organisation's admin changed its name, which
    invoices and the staff's reports print: from what, to what, and by whom. Sent once
    per change; returns whether it sent."""
    change = (
        OrganisationDetailsChange.objects.select_related("organisation", "changed_by")
        .filter(pk=change_id)
        .first()
    )
    if change is None or not change.name_changed:
        return False
    before, after = change.values["name"]

    def build():
        return build_email(
            template="members/organisation/emails/renamed_staff",
            context={
                "change": change,
                "before": before,
                "after": after,
                "organisation": change.organisation,
                "admin_url": organisation_admin_url(change.organisation_id),
                "changes_url": site_url(
                    reverse("admin:members_organisationdetailschange_changelist")
                    + f"?organisation={change.organisation_id}"
                ),
            },
            subject=f"An organisation changed its name: {before} is now {after}",
            to=settings.STAFF_NOTIFICATION_EMAILS,
        )

    return send_once(
        model=OrganisationDetailsChange,
        pk=change.pk,
        claim=Q(staff_notified_at__isnull=True),
        field="staff_notified_at",
        value=timezone.now(),
        build=build,
    )


def organisation_stripe_refused_staff_notice_send(*, change_id: int) -> bool:
    """Tell the membership team that Stripe refused an organisation's new details, which
    asking again will not change: its invoices go out with the old ones until someone puts
    it right in Stripe. Once per change; returns whether it sent."""
    change = (
        OrganisationDetailsChange.objects.select_related("organisation")
        .filter(pk=change_id, stripe_update=StripeUpdate.FAILED)
        .first()
    )
    if change is None:
        return False
    organisation = change.organisation

    def build():
        return build_email(
            template="members/organisation/emails/stripe_refused_staff",
            context={
                "change": change,
                "organisation": organisation,
                "admin_url": organisation_admin_url(organisation.pk),
            },
            subject=f"Stripe refused the new details of {organisation.name}",
            to=settings.STAFF_NOTIFICATION_EMAILS,
        )

    return send_once(
        model=OrganisationDetailsChange,
        pk=change.pk,
        claim=Q(stripe_refusal_emailed_at__isnull=True),
        field="stripe_refusal_emailed_at",
        value=timezone.now(),
        build=build,
    )


def organisation_customer_updates_catch_up() -> int:
    """Nightly: bring Stripe up to date for every organisation whose details still wait,
    once each, whatever became of the task that was to do it (its tries ran out while
    Stripe was down, or it ran in-process, which does not retry). Returns how many
    organisations Stripe now has up to date."""
    latest_ids = (
        OrganisationDetailsChange.objects.filter(stripe_update=StripeUpdate.PENDING)
        .values("organisation_id")
        .annotate(latest=Max("pk"))
        .values_list("latest", flat=True)
    )
    brought = 0
    for change in OrganisationDetailsChange.objects.filter(pk__in=list(latest_ids)):
        try:
            organisation_customer_update_apply(change=change)
        except gateway.StripeUnavailable:
            logger.info("stripe still unreachable for organisation %s", change.organisation_id)
            continue
        brought += change.stripe_update == StripeUpdate.DONE
    return brought
