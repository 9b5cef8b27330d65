"""Organisations' verified email domains: verifying one, and the seats colleagues claim by
it, from the claim (its admins are told) to its end when the person's address leaves
the domain.

A seat claimed by domain rests on one proof only, a verified address at the domain. Once
the person's account address moves elsewhere (they left the council and now sign in with
their new employer's address), nothing says they still work there: the seat ends through
seats.seat_remove, as if an admin had taken it back, with its own wording. An admin's
seat is kept (someone must manage the seats); the other admins are told instead, and the
network's staff when there is no other admin. Seats taken any other way (an invitation,
given by staff, the membership's creator) are not touched: someone chose that person.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from members import access
from members.models import Organisation, Seat, SeatRemoval, User
from members.organisations import organisation_admin_url, seats
from members.organisations.seats import organisation_lock
from network.mail import build_email, send_once, site_url

# Addresses anyone can get: a verified address there proves nothing about an employer.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "btinternet.com",
        "gmail.com",
        "googlemail.com",
        "gmx.com",
        "hotmail.co.uk",
        "hotmail.com",
        "icloud.com",
        "live.co.uk",
        "live.com",
        "mac.com",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "sky.com",
        "talktalk.net",
        "virginmedia.com",
        "yahoo.co.uk",
        "yahoo.com",
    }
)


# --- Verifying a domain ---------------------------------------------------------------


def domain_clean(*, organisation: Organisation, domain: str) -> str:
    """The domain as it is stored and matched (lower case, no "@"), or ValidationError
    when no organisation may offer seats by it: a public email service (anyone can have
    an address there) or a domain another organisation already verified. Both the admin
    page and staff in the Django admin go through here."""
    domain = domain.strip().lower().lstrip("@")
    if domain in PUBLIC_EMAIL_DOMAINS:
        raise ValidationError(
            f"{domain} is a public email service; anyone can have an address there.",
            code="public_domain",
        )
    taken = Organisation.objects.filter(verified_domain=domain).exclude(pk=organisation.pk).exists()
    if taken:
        raise ValidationError(
            f"Another organisation has already verified {domain}. Please contact us.",
            code="domain_taken",
        )
    return domain


def domain_verify(*, organisation: Organisation, domain: str, verified_by: User) -> Organisation:
    """An organisation admin verifies the domain of their own verified email address.

    Holding a verified mailbox at the domain is the proof. Public mail providers are
    refused (anyone can have an address there), and so is a domain another organisation
    already verified (staff settle that in the admin).
    """
    domain = domain.strip().lower().lstrip("@")
    own_domains = {access.email_domain(address) for address in access.verified_emails(verified_by)}
    if domain not in own_domains:
        raise ValidationError(
            "You can verify only the domain of one of your own verified email addresses.",
            code="not_own_domain",
        )
    with transaction.atomic(durable=True):
        organisation = organisation_lock(organisation)
        organisation.verified_domain = domain_clean(organisation=organisation, domain=domain)
        organisation.save(update_fields=["verified_domain"])
    return organisation


def domain_clear(*, organisation: Organisation) -> Organisation:
    """Stop offering seats by email domain."""
    Organisation.objects.filter(pk=organisation.pk).update(verified_domain="")
    organisation.verified_domain = ""
    return organisation


# --- Seats claimed by domain -----------------------------------------------------------


def seats_off_their_domain(user: User) -> list[Seat]:
    """The person's seats claimed by domain where no verified address of theirs is at the
    domain it was claimed with, nor at the organisation's verified domain now (it may have
    changed since). An organisation that cleared its domain keeps no claim on them: the
    seat was claimed by domain, and the person has left it."""
    # Read afresh, not from access's per-request cache: the address changed in this request.
    domains = {access.email_domain(row["address"]) for row in access.verified_addresses(user)}
    claimed = Seat.objects.filter(user=user, taken_through=Seat.TakenThrough.DOMAIN)
    return [
        seat
        for seat in claimed.select_related("organisation", "user")
        if seat.claimed_domain not in domains
        and seat.organisation.verified_domain.lower() not in domains
    ]


def seats_left_domain_end(*, user: User) -> list[Seat]:
    """The person's account address changed (allauth's email_changed): end each seat they
    claimed with an address at a domain they no longer have one at. Returns the admins'
    seats kept, of which their fellow admins (or staff) are told."""
    from members.organisations.tasks import seat_left_domain_kept_send

    kept = []
    for seat in seats_off_their_domain(user):
        if not seat.is_admin:
            try:
                seats.seat_remove(seat=seat, removed_by=None, left_domain=seat.claimed_domain)
                continue
            except ValidationError as error:
                if error.code != "admin":
                    continue  # gone already: an admin removed it a moment ago
        kept.append(seat)
        seat_left_domain_kept_send.delay(seat.pk)
    return kept


def _admin_emails(organisation: Organisation, *, except_user: User | None = None) -> list[str]:
    admins = organisation.seats.filter(is_admin=True, user__is_active=True)
    if except_user is not None:
        admins = admins.exclude(user=except_user)
    return list(admins.order_by("user__email").values_list("user__email", flat=True))


def _organisation_url(organisation: Organisation) -> str:
    return site_url(reverse("members:organisation", kwargs={"slug": organisation.slug}))


def seat_claimed_admins_send(*, seat_id: int) -> bool:
    """Tell the organisation's admins that a colleague claimed a seat by domain: who, and
    how many seats are free now. Once per claim (a redelivered task sends nothing)."""
    seat = (
        Seat.objects.select_related("organisation", "user")
        .filter(pk=seat_id, taken_through=Seat.TakenThrough.DOMAIN)
        .first()
    )
    if seat is None:
        return False  # taken back before the email went out
    organisation = seat.organisation
    recipients = _admin_emails(organisation, except_user=seat.user)
    if not recipients:
        return False
    usage = seats.seats_usage(organisation)

    def build():
        return build_email(
            template="members/organisation/emails/seat_claimed",
            context={
                "seat": seat,
                "organisation": organisation,
                "person": seat.user,
                "usage": usage,
                "organisation_url": _organisation_url(organisation),
            },
            subject=f"{seat.user.name or seat.user.email} claimed a seat at {organisation.name}",
            to=recipients,
        )

    return send_once(
        model=Seat,
        pk=seat.pk,
        claim=Q(claim_emailed_at__isnull=True),
        field="claim_emailed_at",
        value=timezone.now(),
        build=build,
    )


def seat_left_domain_admins_send(*, removal_id: int) -> bool:
    """Tell the organisation's admins that a seat ended because its holder's address left
    the domain it was claimed with, once. Their new address is not theirs to know."""
    removal = (
        SeatRemoval.objects.select_related("organisation", "user")
        .filter(pk=removal_id)
        .exclude(left_domain="")
        .first()
    )
    if removal is None:
        return False
    organisation = removal.organisation
    recipients = _admin_emails(organisation, except_user=removal.user)
    if not recipients:
        return False
    usage = seats.seats_usage(organisation)

    def build():
        return build_email(
            template="members/organisation/emails/seat_left_domain_admins",
            context={
                "removal": removal,
                "organisation": organisation,
                "person": removal.user,
                "usage": usage,
                "organisation_url": _organisation_url(organisation),
            },
            subject=f"A seat at {organisation.name} ended: its holder's address left "
            f"@{removal.left_domain}",
            to=recipients,
        )

    return send_once(
        model=SeatRemoval,
        pk=removal.pk,
        claim=Q(admins_emailed_at__isnull=True),
        field="admins_emailed_at",
        value=timezone.now(),
        build=build,
    )


def seat_left_domain_kept_send(*, seat_id: int) -> bool:
    """An admin whose address left the domain their seat was claimed with keeps the seat:
    tell the other admins, who can take the role back and remove them if they have left,
    or the network's staff when there is no other admin, so that it is not left unseen.
    Once per seat."""
    seat = Seat.objects.select_related("organisation", "user").filter(pk=seat_id).first()
    if seat is None or not seat.is_admin:
        return False
    organisation = seat.organisation
    recipients = _admin_emails(organisation, except_user=seat.user)
    only_admin = not recipients
    if only_admin:
        recipients = list(settings.STAFF_NOTIFICATION_EMAILS)
    if not recipients:
        return False

    def build():
        return build_email(
            template="members/organisation/emails/seat_left_domain_kept",
            context={
                "seat": seat,
                "organisation": organisation,
                "person": seat.user,
                "only_admin": only_admin,
                "organisation_url": _organisation_url(organisation),
                "admin_url": organisation_admin_url(organisation.pk),
            },
            subject=f"{organisation.name}: an admin's address is no longer at "
            f"@{seat.claimed_domain}",
            to=recipients,
        )

    return send_once(
        model=Seat,
        pk=seat.pk,
        claim=Q(left_domain_emailed_at__isnull=True, is_admin=True),
        field="left_domain_emailed_at",
        value=timezone.now(),
        build=build,
    )
