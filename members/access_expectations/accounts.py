"""What each role gets from the account, organisation, site-wide, sign-in (allauth) and
admin URLs (the project-wide access-matrix test; format in members/access_matrix.py).

Variants of one URL:
    [own]      the org admin's own organisation (and objects in it)
    [other]    another organisation, with its own admin: nobody else reaches it
    [foreign]  the org admin's own organisation in the URL, but the object (seat,
               invitation) belongs to another organisation: still nobody reaches it
    [domain]   an organisation whose verified domain is every fixture's (example.org)
    [expired], [forged]  invitation links that cannot be used
"""

from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.utils import timezone

from members.models import (
    DataRequest,
    Invitation,
    MemberType,
    Organisation,
    Plan,
    Seat,
    Subscription,
    User,
)
from members.organisations import invitations, seats

SIGNED_IN_200 = {"anonymous": 302, "*": 200}
PUBLIC = {"*": 200}
ORG_ADMIN_ONLY = {"anonymous": 302, "org_admin": 302, "*": 404}
NOBODY = {"anonymous": 302, "*": 404}

EXPECTED: dict[str, dict[str, int]] = {
    # Site-wide pages (network/urls.py): public.
    "home": PUBLIC,
    "about": PUBLIC,
    "contact": PUBLIC,
    "privacy": PUBLIC,
    "accessibility": PUBLIC,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "robots_txt": PUBLIC,
    # Sign-in, sign-up and account security (allauth). Pages for visitors send
    # signed-in people on (302); pages about one's own account send visitors to sign in.
    # Steps that only make sense inside a flow (a code, a second factor, a new key)
    # redirect when reached directly. Someone without recovery codes is told how to get
    # some (members/two_factor_views.py), in place of allauth's bare 404.
    "account_login": {"anonymous": 200, "*": 302},
    "account_signup": {"anonymous": 200, "*": 302},
    "account_logout": {"anonymous": 302, "*": 200},
    "account_inactive": PUBLIC,
    "account_reauthenticate": SIGNED_IN_200,
    "account_email": SIGNED_IN_200,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": SIGNED_IN_200,
    "account_set_password": {"*": 302},  # everyone here has a password: change it instead
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key[forged]": PUBLIC,  # a page saying the link is bad
    "account_reset_password_from_key_done": PUBLIC,
    "account_confirm_login_code": {"*": 302},
    "account_confirm_email[forged]": PUBLIC,  # a page saying the link is bad
    "mfa_index": SIGNED_IN_200,
    "mfa_authenticate": {"*": 302},
    # Staff, editors and moderators have an authenticator app (as they must): they
    # confirm with it.
    "mfa_reauthenticate": {"editor": 200, "staff": 200, "moderator": 200, "*": 302},
    "mfa_activate_totp": {"*": 302},  # asks to reauthenticate first
    # Reauthenticate first.
    "mfa_deactivate_totp": {"editor": 302, "staff": 302, "moderator": 302, **NOBODY},
    "mfa_view_recovery_codes": SIGNED_IN_200,
    "mfa_generate_recovery_codes": {"*": 302},
    "mfa_download_recovery_codes": SIGNED_IN_200,
    "mfa_list_webauthn": SIGNED_IN_200,
    "mfa_add_webauthn": {"*": 302},
    "mfa_reauthenticate_webauthn": {"*": 302},
    # Another person's security key: allauth asks to reauthenticate before anything else,
    # then looks keys up among the person's own.
    "mfa_remove_webauthn[other]": {"*": 302},
    "mfa_edit_webauthn[other]": {"*": 302},
    "mfa_login_webauthn": {"*": 302},
    "usersessions_list": SIGNED_IN_200,
    # The admin: visitors and non-staff are redirected to sign in. Staff and editors
    # (both with the two-factor staff must set up, members/middleware.py) are inside: 200
    # here means the admin's own permissions decide each page, which
    # tests/network/test_admin_pages.py checks page by page. The admin's own login page
    # refuses signed-in people who are not staff and sends staff on to the admin.
    "admin:*": {"editor": 200, "staff": 200, "*": 302},
    "admin:login": {"anonymous": 302, "editor": 302, "staff": 302, "*": 403},
    # The account.
    "members:account": SIGNED_IN_200,
    "members:profile": SIGNED_IN_200,
    # Asking to change one's member type: members (staff see that they have none).
    "members:type_change_request": {
        "anonymous": 302,
        "registered": 403,
        "lapsed": 403,
        "*": 200,
    },
    # Organisation memberships: only an organisation's admins, and only their own.
    "members:organisation_index": {"anonymous": 302, "org_admin": 302, "*": 403},
    "members:organisation[own]": {"anonymous": 302, "org_admin": 200, "*": 404},
    "members:organisation[other]": NOBODY,
    # An empty form: the org admin gets the page back with the error (400).
    "members:invitation_create[own]": {"anonymous": 302, "org_admin": 400, "*": 404},
    "members:invitation_create[other]": NOBODY,
    "members:invitation_resend[own]": ORG_ADMIN_ONLY,
    "members:invitation_resend[foreign]": NOBODY,
    "members:invitation_revoke[own]": ORG_ADMIN_ONLY,
    "members:invitation_revoke[foreign]": NOBODY,
    "members:seat_remove[own]": ORG_ADMIN_ONLY,
    "members:seat_remove[foreign]": NOBODY,
    "members:seat_admin[own]": ORG_ADMIN_ONLY,
    # Leaving one's own seat: the page is for whoever holds a seat there (the org admin
    # here, told to hand over first: they are its only admin).
    "members:seat_leave[own]": {"anonymous": 302, "org_admin": 200, "*": 404},
    "members:seat_leave[other]": NOBODY,
    "members:seat_admin[foreign]": NOBODY,
    "members:domain_verify[own]": {"anonymous": 302, "org_admin": 400, "*": 404},
    "members:domain_verify[other]": NOBODY,
    "members:domain_clear[own]": ORG_ADMIN_ONLY,
    "members:domain_clear[other]": NOBODY,
    # The organisation's own details: its admins only, as its page.
    "members:organisation_details[own]": {"anonymous": 302, "org_admin": 200, "*": 404},
    "members:organisation_details[other]": NOBODY,
    # Claiming a seat by domain: anyone signed in with a verified address there.
    "members:seat_claim[domain]": {"anonymous": 302, "*": 302},
    "members:seat_claim[other]": NOBODY,
    # Invitation links: anyone may open one; only its addressee may accept it.
    "members:invitation[other]": {"anonymous": 200, "*": 403},
    "members:invitation[expired]": {"*": 410},
    "members:invitation[forged]": {"*": 404},
    # Data rights: the page for anyone signed in; downloading and deleting ask for the
    # password again first (allauth's reauthentication: 302 to it).
    "members:data_rights": SIGNED_IN_200,
    "members:data_export": {"*": 302},
    "members:account_delete": {"*": 302},
    # A download link works only for the person it was made for.
    "members:data_download[other]": {"anonymous": 302, "*": 403},
    "members:data_download[forged]": {"anonymous": 302, "*": 403},
}

METHODS = {
    "members:invitation_create": "post",
    "members:invitation_resend": "post",
    "members:invitation_revoke": "post",
    "members:seat_remove": "post",
    "members:seat_admin": "post",
    "members:domain_verify": "post",
    "members:domain_clear": "post",
    "members:seat_claim": "post",
    "members:data_export": "post",
}


def _organisation(name: str, *, seats: int, verified_domain: str = "") -> Organisation:
    """A fictional organisation with an active subscription and its own admin."""
    organisation = Organisation.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        org_type=MemberType.PROVIDER,
        verified_domain=verified_domain,
    )
    plan, _ = Plan.objects.get_or_create(
        slug="access-matrix-organisation",
        defaults={
            "name": "Access matrix organisation plan",
            "member_type": MemberType.PROVIDER,
            "holder": Plan.Holder.ORGANISATION,
            "interval": Plan.Interval.YEAR,
            "price_pence": 95000,
            "seats": 10,
        },
    )
    Subscription.objects.create(
        organisation=organisation, plan=plan, quantity=seats, status="active"
    )
    admin = User.objects.create_user(
        email=f"admin@{organisation.slug}.example.net", name=f"Admin of {name}"
    )
    Seat.objects.create(organisation=organisation, user=admin, is_admin=True, slot=1)
    return organisation


def _security_key(user: User) -> Authenticator:
    """A WebAuthn key of someone else (the data is a placeholder: no view reads it here)."""
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "Their key"}
    )


def _someone_elses_download(user: User) -> str:
    """The token of a prepared download of another person's data."""
    from django.core import signing

    from members.data_rights import DOWNLOAD_SALT

    data_request = DataRequest.objects.create(
        user=user,
        kind=DataRequest.Kind.ACCESS,
        state=DataRequest.State.DONE,
        export_file="data-exports/theirs.zip",
        export_expires_at=timezone.now() + timedelta(hours=1),
    )
    return signing.dumps({"r": data_request.pk, "u": user.pk}, salt=DOWNLOAD_SALT)


def url_kwargs(people: dict) -> dict[str, dict]:
    own = Organisation.objects.get(seats__user=people["org_admin"], seats__is_admin=True)
    other = _organisation("Fictional Elsewhere Trust", seats=5)
    by_domain = _organisation("Fictional Example Homes", seats=20, verified_domain="example.org")
    colleague = User.objects.create_user(email="colleague@harbour.example.net", name="Colleague")
    own_seat = Seat.objects.create(organisation=own, user=colleague)
    own_invitation = Invitation.objects.create(organisation=own, email="invited@example.net")
    other_seat = other.seats.get()
    other_invitation = Invitation.objects.create(
        organisation=other, email="someone.else@example.net"
    )
    expired = Invitation.objects.create(
        organisation=other,
        email="late@example.net",
        sent_at=timezone.now() - seats.invitation_lifetime() - timedelta(days=1),
    )
    key = _security_key(other.seats.get().user)
    mine = {"slug": own.slug}
    theirs = {"slug": other.slug}
    return {
        "members:organisation[own]": mine,
        "members:organisation[other]": theirs,
        "members:invitation_create[own]": mine,
        "members:invitation_create[other]": theirs,
        "members:invitation_resend[own]": {**mine, "pk": own_invitation.pk},
        "members:invitation_resend[foreign]": {**mine, "pk": other_invitation.pk},
        "members:invitation_revoke[own]": {**mine, "pk": own_invitation.pk},
        "members:invitation_revoke[foreign]": {**mine, "pk": other_invitation.pk},
        "members:seat_remove[own]": {**mine, "pk": own_seat.pk},
        "members:seat_remove[foreign]": {**mine, "pk": other_seat.pk},
        "members:seat_admin[own]": {**mine, "pk": own_seat.pk},
        "members:seat_leave[own]": mine,
        "members:seat_leave[other]": theirs,
        "members:seat_admin[foreign]": {**mine, "pk": other_seat.pk},
        "members:domain_verify[own]": mine,
        "members:domain_verify[other]": theirs,
        "members:domain_clear[own]": mine,
        "members:domain_clear[other]": theirs,
        "members:organisation_details[own]": mine,
        "members:organisation_details[other]": theirs,
        "members:seat_claim[domain]": {"slug": by_domain.slug},
        "members:seat_claim[other]": theirs,
        "members:invitation[other]": {"token": invitations.invitation_token(other_invitation)},
        "members:data_download[other]": {"token": _someone_elses_download(colleague)},
        "members:data_download[forged]": {"token": "not-a-link-we-made"},
        "members:invitation[expired]": {"token": invitations.invitation_token(expired)},
        "members:invitation[forged]": {"token": "1:forged:signature"},
        "mfa_remove_webauthn[other]": {"pk": key.pk},
        "mfa_edit_webauthn[other]": {"pk": key.pk},
        "account_reset_password_from_key[forged]": {"uidb36": "1", "key": "forged-key"},
        "account_confirm_email[forged]": {"key": "forged:key"},
    }
