"""The members app's part of a person's download of their data: the account, its email
addresses, memberships, seats and invitations, subscriptions and invoices, sign-in
sessions and data-rights requests. members/personal_data.py exports `export` from here,
where network.data_rights finds it.
"""

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.db.models import Q
from django.utils.text import capfirst

from members.models import (
    DataRequest,
    Invitation,
    Invoice,
    InvoiceRequest,
    MembershipGrant,
    MemberTypeChangeRequest,
    Organisation,
    OrganisationDetailsChange,
    Seat,
    SeatRemoval,
    Subscription,
    User,
)
from members.models.subscriptions import pounds_text
from network.data_rights import ExportArchive, choices_of, iterate

ORGANISATION = ("organisation__name", "Organisation")
REQUEST_COLUMNS = [
    ("created_at", "Asked"),
    ("plan__name", "Plan"),
    ("seats", "Seats"),
    ("purchase_order_number", "Purchase order number"),
    ("status", "Status", choices_of(InvoiceRequest, "status")),
    ORGANISATION,
    ("organisation__billing_contact_name", "Billing contact"),
    ("organisation__billing_email", "Billing email address"),
    ("organisation__billing_address", "Billing address"),
]


def _details_named(names: list[str]) -> str:
    """The fields of an organisation's details, as its details page labels them."""
    return capfirst(
        ", ".join(str(Organisation._meta.get_field(name).verbose_name) for name in names)
    )


def export(user: User, archive: ExportArchive) -> None:
    archive.add_part(
        "profile",
        "Profile",
        [
            ("email", "Email address"),
            ("name", "Name"),
            ("job_title", "Job title"),
            ("organisation_name", "Organisation"),
            ("member_type", "Member type", choices_of(User, "member_type")),
            ("region", "Region", choices_of(User, "region")),
            ("date_joined", "Joined"),
            ("last_login", "Last signed in"),
        ],
        iterate(User.objects.filter(pk=user.pk).values()),
        about="Your account as you filled it in.",
    )
    archive.add_part(
        "topics_of_interest",
        "Topics of interest",
        [("name", "Topic")],
        iterate(user.topics.values("name")),
        about="The topics you chose, which shape what we suggest to you.",
    )
    archive.add_part(
        "email_addresses",
        "Email addresses",
        [("email", "Email address"), ("verified", "Confirmed"), ("primary", "Main address")],
        iterate(EmailAddress.objects.filter(user=user).values()),
        about="The email addresses on your account.",
    )
    archive.add_part(
        "memberships_granted",
        "Memberships granted by staff",
        [
            ORGANISATION,
            ("member_type", "Member type", choices_of(MembershipGrant, "member_type")),
            ("seats", "Seats"),
            ("starts_on", "From"),
            ("ends_on", "Until"),
            ("reason", "Reason", choices_of(MembershipGrant, "reason")),
        ],
        iterate(
            MembershipGrant.objects.filter(user=user).values(
                "organisation__name", "member_type", "seats", "starts_on", "ends_on", "reason"
            )
        ),
        about="Membership the network's staff gave you without a subscription.",
    )
    archive.add_part(
        "member_type_requests",
        "Requests to change member type",
        [
            ("created_at", "Asked"),
            (
                "current_type",
                "Member type then",
                choices_of(MemberTypeChangeRequest, "current_type"),
            ),
            (
                "requested_type",
                "Member type asked for",
                choices_of(MemberTypeChangeRequest, "requested_type"),
            ),
            ("reason", "Your reason"),
            ("status", "Status", choices_of(MemberTypeChangeRequest, "status")),
            ("decision_note", "Staff's note on the decision"),
        ],
        iterate(MemberTypeChangeRequest.objects.filter(user=user).values()),
        about="Times you asked to be counted as a different kind of member.",
    )
    archive.add_part(
        "seats",
        "Seats in organisations",
        [ORGANISATION, ("is_admin", "Organisation admin"), ("created_at", "Given")],
        iterate(
            Seat.objects.filter(user=user).values("organisation__name", "is_admin", "created_at")
        ),
        about="The organisations whose membership you use.",
    )
    archive.add_part(
        "seats_ended",
        "Seats taken back from you",
        [
            ORGANISATION,
            ("removed_at", "Taken back"),
            ("by_staff", "By the network's staff"),
            ("emailed_at", "We told you"),
        ],
        iterate(
            SeatRemoval.objects.filter(user=user).values(
                "organisation__name", "removed_at", "by_staff", "emailed_at"
            )
        ),
        about=(
            "Seats an organisation's admin, or the network's staff, took back from you "
            "to give to someone else."
        ),
    )
    archive.add_part(
        "invitations",
        "Invitations to your address",
        [
            ORGANISATION,
            ("email", "Sent to"),
            ("created_at", "Made"),
            ("sent_at", "Sent"),
            ("accepted_at", "Accepted"),
            ("revoked_at", "Withdrawn"),
        ],
        iterate(
            Invitation.objects.filter(Q(email__iexact=user.email) | Q(accepted_by=user)).values(
                "organisation__name", "email", "created_at", "sent_at", "accepted_at", "revoked_at"
            )
        ),
        about="Invitations to take a seat in an organisation.",
    )
    archive.add_part(
        "subscriptions",
        "Personal subscriptions",
        [
            ("plan__name", "Plan"),
            ("status", "Status", choices_of(Subscription, "status")),
            ("collection_method", "How you pay", choices_of(Subscription, "collection_method")),
            ("current_period_end", "Paid up to"),
            ("ended_at", "Ended"),
            ("created_at", "Started"),
        ],
        iterate(
            Subscription.objects.filter(user=user).values(
                "plan__name",
                "status",
                "collection_method",
                "current_period_end",
                "ended_at",
                "created_at",
            )
        ),
        about="The memberships you pay for yourself (card details stay with Stripe).",
    )
    archive.add_part(
        "invoices",
        "Invoices of your personal subscriptions",
        [
            ("number", "Invoice number"),
            ("status", "Status", choices_of(Invoice, "status")),
            # Pounds as the site writes them; the JSON keeps the pence Stripe counts in.
            ("amount_due_pence", "Amount due", pounds_text),
            ("due_date", "Due"),
            ("created_at", "Issued"),
            ("amount_refunded_pence", "Amount refunded", pounds_text),
            ("refunded_at", "Last refunded"),
        ],
        iterate(Invoice.objects.filter(subscription__user=user).values()),
        about="The invoices for your personal subscriptions.",
    )
    archive.add_part(
        "requests_to_join",
        "Requests to join or to pay by invoice",
        REQUEST_COLUMNS,
        iterate(
            InvoiceRequest.objects.filter(requested_by=user).values(
                *(column[0] for column in REQUEST_COLUMNS)
            )
        ),
        about="Requests you made to join for an organisation, with the billing details you gave.",
    )
    archive.add_part(
        "organisation_details_changed",
        "Organisation details you changed",
        [
            ORGANISATION,
            ("changed_at", "Changed"),
            ("fields_changed", "What you changed", _details_named),
        ],
        iterate(
            OrganisationDetailsChange.objects.filter(changed_by=user).values(
                "organisation__name", "changed_at", "fields_changed"
            )
        ),
        about="Corrections you made, as an admin, to an organisation's name and billing details.",
    )
    archive.add_part(
        "sessions",
        "Sign-in sessions",
        [
            ("created_at", "Signed in"),
            ("last_seen_at", "Last active"),
            ("ip", "Internet address"),
            ("user_agent", "Browser"),
        ],
        iterate(UserSession.objects.filter(user=user).values()),
        about="The browsers signed in to your account, so you can spot one that is not yours.",
    )
    archive.add_part(
        "data_requests",
        "Your requests about your data",
        [
            (
                "kind",
                "Request",
                choices_of(
                    DataRequest,
                    "kind",
                    to_the_person={
                        DataRequest.Kind.ACCESS: "A copy of your data",
                        DataRequest.Kind.ERASURE: "Deleting your account",
                    },
                ),
            ),
            (
                "source",
                "How it reached us",
                choices_of(
                    DataRequest,
                    "source",
                    to_the_person={
                        DataRequest.Source.ACCOUNT: "Your account page",
                        DataRequest.Source.EMAIL: "Email",
                        DataRequest.Source.POST: "Letter",
                        DataRequest.Source.OTHER: "Other",
                    },
                ),
            ),
            ("received_at", "Received"),
            ("due_by", "Due by"),
            ("state", "Status", choices_of(DataRequest, "state")),
            ("outcome", "Outcome"),
            ("closed_at", "Closed"),
        ],
        iterate(DataRequest.objects.filter(user=user).values()),
        about="Your requests for a copy of your data or to delete your account, this one included.",
    )
