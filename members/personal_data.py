"""What members stores about a person: the account, its email addresses, sign-in
sessions, memberships, seats and invitations, subscriptions and invoices, and data-rights
requests. See network/data_rights.py for the shape of this module.

Erasing here frees the person's seats, withdraws invitations to their address and
removes their addresses, sessions and second factors. Their personal subscriptions are
cancelled in Stripe before this runs (members.data_rights.account_erase), and the rows
stay six years as billing records, pointing at the pseudonymous account. The account row
itself is made pseudonymous last, by members.data_rights.
"""

import logging
import re
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from members.models import (
    DataRequest,
    Invitation,
    MembershipGrant,
    MemberTypeChangeRequest,
    Organisation,
    Plan,
    Seat,
    StripeEvent,
    Subscription,
    User,
)

# The download's parts live in their own module; network.data_rights looks for
# `export` here, as in every app.
from members.personal_data_export import export as export
from network.data_rights import ErasureChoices, Retention

logger = logging.getLogger(__name__)

YEAR = timedelta(days=365)
UNCONFIRMED_SIGN_UP_PERIOD = timedelta(days=30)


def _downloads_delete(past) -> int:
    from members.data_rights import export_storage

    storage = export_storage()
    count = 0
    for data_request in past.only("pk", "export_file").iterator():
        storage.delete(data_request.export_file)
        DataRequest.objects.filter(pk=data_request.pk).update(export_file="")
        count += 1
    return count


def _accounts_erase(past, *, reason: str) -> int:
    """Erase each account like a deletion, recording `reason` on its request. One that
    cannot be erased yet (the only admin of an organisation, Stripe unreachable) keeps
    its open request, which staff see in the log and the next night tries again, and
    stops neither the other accounts nor the other rules."""
    from members.data_rights import account_erase

    erased = 0
    for user in past.distinct().iterator():
        data_request = DataRequest.objects.open().filter(
            user=user, kind=DataRequest.Kind.ERASURE
        ).first() or DataRequest.objects.create(
            user=user,
            kind=DataRequest.Kind.ERASURE,
            source=DataRequest.Source.OTHER,
            state=DataRequest.State.RECEIVED,
            outcome=f"Retention: {reason}",
        )
        try:
            account_erase(data_request=data_request)
        except Exception:
            logger.exception("retention erasure failed request=%s", data_request.pk)
            continue
        erased += 1
    return erased


def _closed_accounts_erase(past) -> int:
    """Accounts staff closed (made inactive) a year ago are erased like a deletion."""
    return _accounts_erase(past, reason="the account was closed more than a year ago.")


def _unconfirmed_accounts_erase(past) -> int:
    """Sign-ups whose address was never confirmed: nobody ever used the account."""
    return _accounts_erase(
        past, reason="the account's email address was never confirmed, nor the account used."
    )


# Never signed in, no confirmed address, and nothing that anyone gave the account: no
# membership, seat, grant, role or staff status (staff may make an account ahead of its
# owner's first visit, and those are theirs to close).
NEVER_CONFIRMED = (
    Q(is_active=True, erased_at__isnull=True, last_login__isnull=True)
    & Q(is_staff=False, is_superuser=False)
    & ~Q(emailaddress__verified=True)
    & Q(groups__isnull=True, seats__isnull=True, subscriptions__isnull=True)
    & Q(membership_grants__isnull=True)
)


RETENTION = [
    Retention(
        model="members.User",
        field="last_login",
        period=YEAR,
        what="Your account, once closed",
        why="In case you come back or question something; then erased like a deletion.",
        condition=Q(is_active=False, erased_at__isnull=True),
        purge=_closed_accounts_erase,
        starts="after your last sign-in, once the account is closed",
    ),
    Retention(
        # An account closed before anyone signed in to it has no last sign-in to count from.
        model="members.User",
        field="date_joined",
        period=YEAR,
        what="Your account, once closed, if you never signed in",
        why="In case you come back or question something; then erased like a deletion.",
        condition=Q(is_active=False, erased_at__isnull=True, last_login__isnull=True),
        purge=_closed_accounts_erase,
        starts="after it was made, once the account is closed",
    ),
    Retention(
        model="members.User",
        field="date_joined",
        period=UNCONFIRMED_SIGN_UP_PERIOD,
        what="Your account, if its email address was never confirmed",
        why="Time to find the confirmation email (signing in sends a new one); "
        "then erased like a deletion.",
        condition=NEVER_CONFIRMED,
        purge=_unconfirmed_accounts_erase,
        starts="after it was made",
    ),
    Retention(
        model="members.Subscription",
        field="ended_at",
        years=6,
        what="Ended subscriptions",
        why="Accounting records the law requires us to keep (Companies Act 2006, HMRC).",
        starts="after they ended",
    ),
    Retention(
        model="members.DataRequest",
        field="export_expires_at",
        period=timedelta(0),
        what="Downloads of your data you asked for",
        why="Made for you to fetch; deleted once the link has expired.",
        condition=~Q(export_file=""),
        purge=_downloads_delete,
        starts="after the link expires",
    ),
    Retention(
        model="members.Invoice",
        field="created_at",
        years=6,
        what="Invoices",
        why="Accounting records the law requires us to keep (Companies Act 2006, HMRC).",
    ),
    Retention(
        model="members.OrganisationDetailsChange",
        field="changed_at",
        years=6,
        what="Changes you made as an organisation admin to its name and billing details",
        why="Billing records: the name, address and PO number invoices went out with "
        "(Companies Act 2006, HMRC). Once your account is erased they name no one.",
        starts="after the change",
    ),
    Retention(
        model="members.StripeEvent",
        field="received_at",
        period=timedelta(days=90),
        what="Payment notifications from Stripe (they hold names and addresses)",
        why="Needed only until applied and checked; the invoice itself is kept.",
    ),
    Retention(
        model="usersessions.UserSession",
        field="last_seen_at",
        period=timedelta(days=90),
        what="Sign-in sessions (IP address and browser)",
        why="To show you where you are signed in and to protect accounts.",
        starts="after the session was last used",
    ),
    Retention(
        model="members.Invitation",
        field="sent_at",
        period=timedelta(days=settings.ORGANISATION_INVITATION_DAYS + 30),
        what="Invitations to take a seat that were never accepted",
        why="The link expires; the address is kept a month after in case of questions.",
        starts="after it was sent",
        condition=Q(accepted_at__isnull=True),
    ),
    Retention(
        model="members.DataRequest",
        field="closed_at",
        period=2 * YEAR,
        what="Requests for a copy of your data or for erasure",
        why="To show we answered them (accountability).",
        starts="after the request was closed",
    ),
]


def _admin_history_pseudonymise(user: User) -> None:
    """The admin's history (recent actions, each object's history) names objects as they
    were named then, e.g. "Access (a copy of their data): Priya Shah": the person's name
    and address give way to their pseudonym there too (whole words only, so a "Priya
    Shahid" keeps hers)."""
    names = [text for text in (user.email, user.name.strip()) if text]
    if not names:
        return
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(text)}(?!\w)" for text in names), re.I)
    mentioning = Q()
    for text in names:
        mentioning |= Q(object_repr__icontains=text)
    for pk, label in LogEntry.objects.filter(mentioning).values_list("pk", "object_repr"):
        LogEntry.objects.filter(pk=pk).update(object_repr=pattern.sub(user.pseudonym, label))


def erase(user: User, choices: ErasureChoices) -> None:
    _admin_history_pseudonymise(user)
    # Downloads of their data not yet expired.
    _downloads_delete(DataRequest.objects.filter(user=user).exclude(export_file=""))
    # Seats are freed for colleagues; invitations to the address are withdrawn.
    Seat.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=user.email).delete()
    Invitation.objects.filter(invited_by=user).update(invited_by=None)
    Invitation.objects.filter(accepted_by=user).update(accepted_by=None)
    # What they wrote to the membership team; the grants themselves are membership
    # records and keep only the (pseudonymous) account.
    MemberTypeChangeRequest.objects.filter(user=user).delete()
    MembershipGrant.objects.filter(user=user).update(note="")
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for session in UserSession.objects.filter(user=user):
        session.purge()  # ends the session itself, then the row
    UserSession.objects.filter(user=user).delete()
    # Stripe's copies of events about the person's subscriptions hold their name and
    # address; the subscription and invoice rows (no personal data) stay.
    subscription_ids = [
        sid
        for sid in Subscription.objects.filter(user=user).values_list(
            "stripe_subscription_id", flat=True
        )
        if sid
    ]
    StripeEvent.objects.filter(stripe_subscription_id__in=subscription_ids).update(payload={})
    # A personal plan asked for by request is billed to an organisation row made for
    # that request alone (billing.invoicing), often in the person's own name and with
    # their home address: it stays as the billing record, without them in it.
    Organisation.objects.filter(
        invoice_requests__requested_by=user,
        invoice_requests__plan__holder=Plan.Holder.INDIVIDUAL,
    ).update(
        name=f"Billing of former member #{user.pk}",
        slug=Concat(Value(f"former-member-{user.pk}-billing-"), Cast("pk", CharField())),
        billing_contact_name="",
        billing_email="",
        billing_address="",
    )
