"""People's rights over their data: a copy of it (a ZIP made by a task, fetched once
through a signed link) and the erasure of their account (after a grace period in which
signing in cancels it). Staff run the same operations from the requests log in the admin.

Each app says what it holds in its `personal_data.py` (network/data_rights.py); this
module only walks them, so members imports no higher app. Erasure keeps the account row
as a pseudonymous "former member #N" holding nothing personal: reports, suspensions,
the moderation log and billing records keep pointing at it.
"""

import logging
import secrets
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from members import access
from members.billing import gateway, renewals
from members.billing.services import personal_subscriptions_cancel
from members.models import DataRequest, Subscription, User
from members.organisations.seats import organisations_only_admin_of
from network.data_rights import ErasureChoices, ExportArchive, modules
from network.mail import site_url

logger = logging.getLogger(__name__)

DOWNLOAD_SALT = "members.data_export"
# A download still being prepared after this long was lost with its worker.
STALE_PREPARATION = timedelta(hours=1)


def export_storage():
    return storages[settings.DATA_EXPORT_STORAGE]


# --- Requests -----------------------------------------------------------------------


def _open_request(user: User, kind: str) -> DataRequest | None:
    return DataRequest.objects.open().filter(user=user, kind=kind).first()


def erasure_pending(user: User) -> DataRequest | None:
    """The person's scheduled erasure, if any (the account page shows its date)."""
    return DataRequest.objects.filter(
        user=user, kind=DataRequest.Kind.ERASURE, state=DataRequest.State.SCHEDULED
    ).first()


def handover_needed(user: User) -> list:
    """Organisations the person is the only admin of: they hand over before leaving."""
    return organisations_only_admin_of(user)


# --- Download your data -------------------------------------------------------------


def data_export_request(
    *,
    user: User,
    source: str = DataRequest.Source.ACCOUNT,
    recorded_by: User | None = None,
) -> DataRequest:
    """Log a request for a copy of a person's data and have a worker prepare it. A
    request already being prepared is returned as it is."""
    from members import tasks

    with transaction.atomic(durable=True):
        existing = _open_request(user, DataRequest.Kind.ACCESS)
        if existing is not None:
            if existing.received_at < timezone.now() - STALE_PREPARATION:
                # Its worker died: asking again starts it again.
                tasks.data_export_build.delay_on_commit(existing.pk)
            return existing
        data_request = DataRequest.objects.create(
            user=user,
            kind=DataRequest.Kind.ACCESS,
            source=source,
            recorded_by=recorded_by,
            state=DataRequest.State.PREPARING,
        )
        tasks.data_export_build.delay_on_commit(data_request.pk)
    return data_request


def data_export_run(*, data_request: DataRequest) -> None:
    """Staff run (or run again) the export of a logged request from the admin."""
    from members import tasks

    DataRequest.objects.filter(pk=data_request.pk).update(state=DataRequest.State.PREPARING)
    tasks.data_export_build.delay_on_commit(data_request.pk)


def data_export_build(*, data_request: DataRequest) -> DataRequest:
    """Write the person's ZIP into the export storage part by part (each app's
    `export`), then email them the link. Runs in a worker."""
    from members import tasks

    user = data_request.user
    storage = export_storage()
    with tempfile.TemporaryFile() as spool:
        person = f"{user.name} ({user.email})" if user.name else user.email
        archive = ExportArchive(spool, person=person)
        for module in modules():
            export = getattr(module, "export", None)
            if export is not None:
                export(user, archive)
        archive.close()
        spool.seek(0)
        name = storage.save(f"data-exports/{secrets.token_urlsafe(24)}.zip", File(spool))
    now = timezone.now()
    with transaction.atomic():
        if data_request.export_file:
            storage.delete(data_request.export_file)  # a staff re-run replaces the old one
        data_request.export_file = name
        data_request.export_expires_at = now + timedelta(hours=settings.DATA_EXPORT_LINK_HOURS)
        data_request.export_downloaded_at = None
        data_request.notified_at = None  # a new link: the person is emailed it
        data_request.state = DataRequest.State.DONE
        data_request.closed_at = now
        data_request.outcome = "Download prepared and its link emailed to the person."
        data_request.save()
        tasks.data_export_notify.delay_on_commit(data_request.pk)
    logger.info("data export prepared request=%s", data_request.pk)
    return data_request


def data_export_link(data_request: DataRequest) -> str:
    token = signing.dumps({"r": data_request.pk, "u": data_request.user_id}, salt=DOWNLOAD_SALT)
    return site_url(reverse("members:data_download", args=[token]))


class DownloadRefused(Exception):
    """The link is not this person's, has expired or was used already (the message says which)."""


def data_export_claim(*, token: str, user: User) -> tuple[DataRequest, object]:
    """Check a download link and mark it used: it works once, before it expires, and
    only for the person it was made for. Returns the request and the open file."""
    try:
        payload = signing.loads(
            token, salt=DOWNLOAD_SALT, max_age=timedelta(hours=settings.DATA_EXPORT_LINK_HOURS)
        )
    except signing.SignatureExpired as error:
        raise DownloadRefused("This link has expired. Ask for a new download.") from error
    except signing.BadSignature as error:
        raise DownloadRefused("This link is not valid.") from error
    data_request = DataRequest.objects.filter(pk=payload.get("r")).first()
    if (
        data_request is None
        or payload.get("u") != data_request.user_id
        or not access.can_download_data_export(user, data_request)
    ):
        raise DownloadRefused("This link was made for someone else.")
    if not data_request.export_file:
        raise DownloadRefused("This download is no longer available. Ask for a new one.")
    now = timezone.now()
    if data_request.export_expires_at is None or data_request.export_expires_at <= now:
        raise DownloadRefused("This link has expired. Ask for a new download.")
    claimed = DataRequest.objects.filter(
        pk=data_request.pk, export_downloaded_at__isnull=True
    ).update(export_downloaded_at=now)
    if not claimed:
        raise DownloadRefused("This link has been used already. Ask for a new download.")
    return data_request, export_storage().open(data_request.export_file, "rb")


# --- Delete your account ------------------------------------------------------------


def account_deletion_request(
    *,
    user: User,
    keep_post_text: bool,
    source: str = DataRequest.Source.ACCOUNT,
    recorded_by: User | None = None,
) -> DataRequest:
    """Schedule the erasure of an account after the grace period, and turn off the
    renewal of the person's personal memberships, so that none charges them again before
    then. Stripe being unreachable does not stop the request: the renewal is turned off
    by a task that tries again (`renewals_stop_pending` says it is still to do)."""
    organisations = handover_needed(user)
    if organisations:
        names = ", ".join(str(o) for o in organisations)
        raise ValidationError(
            f"You are the only admin of {names}. Make a colleague an admin first, so "
            "someone can still manage its seats and billing.",
            code="last_admin",
        )
    from members import tasks

    now = timezone.now()
    with transaction.atomic(durable=True):
        existing = _open_request(user, DataRequest.Kind.ERASURE)
        if existing is not None:
            return existing
        data_request = DataRequest.objects.create(
            user=user,
            kind=DataRequest.Kind.ERASURE,
            source=source,
            recorded_by=recorded_by,
            state=DataRequest.State.SCHEDULED,
            received_at=now,
            erase_after=now + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS),
            keep_post_text=keep_post_text,
            renewals_stop_pending=renewals.renewals_to_stop(user),
        )
    if data_request.renewals_stop_pending:
        try:
            account_deletion_renewals_stop(data_request=data_request)  # Stripe, after commit
        except gateway.StripeUnavailable:
            tasks.account_deletion_renewals_stop.apply_async((data_request.pk,), countdown=60)
        data_request.refresh_from_db(fields=["renewals_stop_pending"])
    # Told by email too (if someone else did this, signing in stops it), once Stripe has
    # answered: the email says whether the membership's renewal is off yet.
    tasks.account_deletion_notify.delay_on_commit(data_request.pk)
    return data_request


def _still_scheduled(data_request: DataRequest) -> bool:
    return DataRequest.objects.filter(
        pk=data_request.pk, state=DataRequest.State.SCHEDULED
    ).exists()


def account_deletion_renewals_stop(*, data_request: DataRequest) -> None:
    """Turn off the renewal of a scheduled deletion's personal memberships (the request
    itself, then its task while Stripe cannot be reached). Raises StripeUnavailable."""
    if not _still_scheduled(data_request):
        return  # cancelled meanwhile: nothing is to stop renewing
    renewals.personal_renewals_stop(data_request=data_request)
    if not _still_scheduled(data_request):
        # The person signed in while Stripe was being asked: put back what was turned off.
        renewals.personal_renewals_restore(data_request=data_request)


# A deletion closed in these states erased no one: what it turned off goes back on.
CLOSED_WITHOUT_ERASURE = (DataRequest.State.CANCELLED, DataRequest.State.REFUSED)


def account_deletion_renewals_restore(*, data_request: DataRequest) -> None:
    """Turn renewal back on where a deletion closed without erasing anyone had turned it
    off. Raises StripeUnavailable."""
    renewals.personal_renewals_restore(data_request=data_request)


def account_deletion_renewals_put_back(*, data_request: DataRequest) -> None:
    """As account_deletion_renewals_restore, now or, while Stripe cannot be reached, by a
    task that tries again: the person signing in, or staff closing the request, goes on."""
    from members import tasks

    if not data_request.renewals_stopped.exists():
        return
    try:
        account_deletion_renewals_restore(data_request=data_request)
    except gateway.StripeUnavailable:
        tasks.account_deletion_renewals_restore.apply_async((data_request.pk,), countdown=60)


def account_deletion_cancel(*, user: User) -> renewals.RenewalNews | None:
    """Signing in during the grace period cancels the erasure, and turns renewal back on
    for the memberships the deletion had turned it off for (never for one the member
    had turned off themselves, nor one whose period ended meanwhile). Stripe being
    unreachable does not stop the sign-in: a task turns renewal back on when it can.

    Returns None when there was nothing to cancel, else what became of each membership
    the deletion had marked, for the words that welcome the person back."""
    cancelled = list(
        DataRequest.objects.filter(
            user=user, kind=DataRequest.Kind.ERASURE, state=DataRequest.State.SCHEDULED
        )
    )
    if not cancelled:
        return None  # every sign-in asks: most have nothing to cancel
    marked = list(
        Subscription.objects.filter(renewal_stopped_by__in=cancelled).values_list("pk", flat=True)
    )
    count = DataRequest.objects.filter(
        pk__in=[data_request.pk for data_request in cancelled],
        state=DataRequest.State.SCHEDULED,
    ).update(
        state=DataRequest.State.CANCELLED,
        closed_at=timezone.now(),
        outcome="Cancelled: the person signed in again during the grace period.",
        renewals_stop_pending=False,
    )
    for data_request in cancelled:
        account_deletion_renewals_put_back(data_request=data_request)
    if not count:
        return None  # another sign-in cancelled it a moment ago, and says so
    return renewals.renewal_news(subscription_ids=marked)


def _erasure_still_wanted(data_request: DataRequest) -> None:
    """Only an open request erases anyone: one the person cancelled by signing in, or
    that staff refused or closed, is a record of that decision, not an order to erase."""
    if data_request.state not in (DataRequest.State.RECEIVED, DataRequest.State.SCHEDULED):
        raise ValidationError(
            f"This request is closed ({data_request.get_state_display().lower()}), so it "
            "erases no one. If the person asks again, log a new request.",
            code="closed",
        )


def account_erase(*, data_request: DataRequest, erased_by: User | None = None) -> User:
    """Erase the person now: their personal subscriptions are cancelled in Stripe, then
    every app erases or pseudonymises what it holds, and the account row becomes a
    "former member #N" holding nothing personal. Raises ValidationError while they are
    an organisation's only admin, and gateway errors while Stripe is unreachable (the
    nightly task tries again).

    `erased_by`: the staff member erasing them from the admin. The person is then emailed
    that it was done, and what was kept and why, at the address they had: nobody told
    them a date beforehand, as the end of a grace period is told (and a request they made
    by letter or phone was never answered by email at all)."""
    from members import tasks

    user = data_request.user
    # Read before the row is emptied; only the confirmation's task holds it after.
    address = "" if user.is_erased else user.email
    _erasure_still_wanted(DataRequest.objects.get(pk=data_request.pk))
    if handover_needed(user):
        raise ValidationError(
            "The person is an organisation's only admin: another admin is needed first.",
            code="last_admin",
        )
    if not user.is_erased:
        personal_subscriptions_cancel(user=user)  # Stripe, outside the transaction
    choices = ErasureChoices(keep_post_text=data_request.keep_post_text)
    now = timezone.now()
    with transaction.atomic(durable=True):
        # Again under the row lock: the person may have signed in a moment ago.
        _erasure_still_wanted(DataRequest.objects.select_for_update().get(pk=data_request.pk))
        if not user.is_erased:
            # Higher apps first: they may still need the person's address to find rows.
            for module in reversed(modules()):
                erase = getattr(module, "erase", None)
                if erase is not None:
                    erase(user, choices)
            user_pseudonymise(user=user, now=now)
        data_request.state = DataRequest.State.DONE
        data_request.closed_at = now
        data_request.outcome = (
            "Account erased; forum posts kept as a former member's."
            if data_request.keep_post_text
            else "Account erased; the text of every forum post removed."
        )
        if erased_by is not None:
            data_request.outcome += " Erased by staff from the admin; the person is emailed."
            if address:
                tasks.account_erasure_confirm.delay_on_commit(data_request.pk, address)
        data_request.save(update_fields=["state", "closed_at", "outcome"])
    access.forget(user)
    logger.info("account erased request=%s user=%s", data_request.pk, user.pk)
    return user


def user_pseudonymise(*, user: User, now=None) -> None:
    """Empty the account row of everything personal; it stays as "former member #N"."""
    user.email = f"former-member-{user.pk}@erased.invalid"
    user.name = ""
    user.job_title = ""
    user.organisation_name = ""
    user.member_type = ""
    user.region = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.erased_at = now or timezone.now()
    user.save()
    user.topics.clear()
    user.groups.clear()
    user.user_permissions.clear()


def account_deletions_complete(*, now=None) -> int:
    """Erase every account whose grace period has run out (the nightly task), after
    turning renewal off, or back on, where a task gave up while Stripe was down."""
    for data_request in DataRequest.objects.filter(
        kind=DataRequest.Kind.ERASURE,
        state=DataRequest.State.SCHEDULED,
        renewals_stop_pending=True,
    ):
        try:
            account_deletion_renewals_stop(data_request=data_request)
        except gateway.StripeUnavailable:
            logger.warning("renewals still not stopped request=%s", data_request.pk)
    cancelled = DataRequest.objects.filter(
        kind=DataRequest.Kind.ERASURE,
        state__in=CLOSED_WITHOUT_ERASURE,
        renewals_stopped__isnull=False,
    ).distinct()
    for data_request in cancelled:
        try:
            account_deletion_renewals_restore(data_request=data_request)
        except gateway.StripeUnavailable:
            logger.warning("renewals still not restored request=%s", data_request.pk)
    erased = 0
    for pk in DataRequest.objects.erasures_due(now=now).values_list("pk", flat=True):
        data_request = DataRequest.objects.select_related("user").get(pk=pk)
        try:
            account_erase(data_request=data_request)
        except Exception:  # one failure must not stop the others
            logger.exception("erasure failed request=%s", pk)
            continue
        erased += 1
    return erased
