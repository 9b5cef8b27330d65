"""Demo people (one per role), plans and a fictional organisation.

Every organisation and person here is fictional. The demo password is printed by
`seed_demo` and listed in the README; it is for the embedded default only.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from members.access import MODERATORS_GROUP
from members.models import (
    Invoice,
    MembershipGrant,
    MemberType,
    Organisation,
    Plan,
    Region,
    Seat,
    Subscription,
    SubscriptionStatus,
    User,
)
from members.staff_groups import MODERATORS_APP_LABELS, editors_group, group_with_permissions
from network.models import Topic

DEMO_PASSWORD = "network-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str
    job_title: str
    member_type: str
    region: str


DEMO_USERS = [
    DemoUser("staff@example.org", "Alex Morgan", "staff (admin; set up two-factor on first visit)",
             "Network manager", MemberType.POLICY, Region.LONDON),
    DemoUser("editor@example.org", "Priya Shah", "editor (library and newsletter)",
             "Content editor", MemberType.POLICY, Region.EAST_MIDLANDS),
    DemoUser("moderator@example.org", "Sam Okafor",
             "forum moderator and member (set up two-factor on first visit)",
             "Community moderator", MemberType.PROVIDER, Region.NORTH_WEST),
    DemoUser("provider@example.org", "Jo Whitfield", "member: provider (personal subscription)",
             "Registered manager", MemberType.PROVIDER, Region.YORKSHIRE),
    DemoUser("commissioner@example.org", "Dev Patel", "member: commissioner (organisation seat)",
             "Placements commissioner", MemberType.COMMISSIONER, Region.WEST_MIDLANDS),
    DemoUser("policy@example.org", "Hannah Clarke", "member: policy maker (staff grant)",
             "Policy researcher", MemberType.POLICY, Region.SOUTH_EAST),
    DemoUser("orgadmin@example.org", "Ruth Adeyemi", "organisation admin (council seats)",
             "Head of commissioning", MemberType.COMMISSIONER, Region.WEST_MIDLANDS),
    DemoUser("lapsed@example.org", "Tom Reilly", "lapsed member (subscription cancelled)",
             "Deputy manager", MemberType.PROVIDER, Region.NORTH_EAST),
    DemoUser("registered@example.org", "Grace Lewis", "registered, not a member",
             "Residential care worker", MemberType.PROVIDER, Region.SOUTH_WEST),
]  # fmt: skip

PLANS = [
    # slug, name, member type, holder, interval, pence, seats, invoice, trial
    ("provider-monthly", "Provider: individual, monthly", MemberType.PROVIDER, "individual",
     "month", 1200, 1, False, 14),
    ("provider-annual", "Provider: individual, annual", MemberType.PROVIDER, "individual",
     "year", 12000, 1, False, 14),
    ("provider-organisation", "Provider organisation (10 seats)", MemberType.PROVIDER,
     "organisation", "year", 95000, 10, True, 0),
    ("commissioner-annual", "Commissioner: individual, annual", MemberType.COMMISSIONER,
     "individual", "year", 12000, 1, True, 0),
    ("council-organisation", "Council (20 seats)", MemberType.COMMISSIONER, "organisation",
     "year", 180000, 20, True, 0),
    ("policy-annual", "Policy maker or other: individual, annual", MemberType.POLICY,
     "individual", "year", 9000, 1, False, 14),
]  # fmt: skip

INCLUDED = {
    "individual": "The whole best-practice library\nThe members' forum\nMember briefings",
    "organisation": (
        "Seats for colleagues, managed by your organisation's admins\n"
        "The whole best-practice library\nThe members' forum\nPay by invoice against a PO number"
    ),
}


# Other members who take part in the demo forum, so that its conversations have more than
# the demo logins in them. Fictional people at fictional organisations; they cannot sign
# in (no usable password). (email, name, job title, member type, region, organisation)
FORUM_VOICES = [
    ("marion.achebe@larchwood.example.org", "Marion Achebe", "Registered manager",
     MemberType.PROVIDER, Region.NORTH_WEST, "Larchwood House (fictional)"),
    ("femi.adebayo@orchardlane.example.org", "Femi Adebayo", "Deputy manager",
     MemberType.PROVIDER, Region.LONDON, "Orchard Lane Children's Home (fictional)"),
    ("claire.whitmore@seaview.example.org", "Claire Whitmore", "Registered manager",
     MemberType.PROVIDER, Region.SOUTH_WEST, "Seaview Homes (fictional)"),
    ("chris.evans@meadowvale.example.org", "Chris Evans", "Responsible individual",
     MemberType.PROVIDER, Region.EAST, "Meadowvale Care Trust (fictional)"),
    ("asha.begum@hollybank.example.org", "Asha Begum", "Registered manager",
     MemberType.PROVIDER, Region.YORKSHIRE, "Hollybank Homes (fictional)"),
    ("nadia.rahman@eastbridge.example.org", "Nadia Rahman", "Placements commissioner",
     MemberType.COMMISSIONER, Region.EAST, "Eastbridge County Council (fictional)"),
    ("sunil.mehta@saltmarsh.example.org", "Sunil Mehta", "Commissioning analyst",
     MemberType.COMMISSIONER, Region.NORTH_EAST, "Saltmarsh City Council (fictional)"),
    ("gareth.lloyd@example.org", "Gareth Lloyd", "Independent person (Regulation 44 visits)",
     MemberType.POLICY, Region.SOUTH_EAST, "Independent consultant (fictional)"),
]  # fmt: skip

# The demo members' topics of interest (network.Topic slugs, seeded by network's demo
# first), so their start pages show new resources in their topics.
DEMO_TOPICS = {
    "provider@example.org": ["workforce-and-training", "therapeutic-practice"],
    "commissioner@example.org": ["commissioning-and-contracts", "data-and-research"],
    "policy@example.org": ["policy-and-reviews", "therapeutic-practice"],
}


# Where the demo people work, as their posts and profiles show it.
ORGANISATION_BY_TYPE = {
    MemberType.PROVIDER: "Harbour Lights Children's Homes (fictional)",
    MemberType.COMMISSIONER: "Northmoor Borough Council (fictional)",
    MemberType.POLICY: "Eastbridge University (fictional)",
}
ORGANISATION_BY_EMAIL = {
    "staff@example.org": "English Residential Network",
    "editor@example.org": "English Residential Network",
}


def _person(demo: DemoUser, password: str) -> User:
    user, _ = User.objects.update_or_create(
        email=demo.email,
        defaults={
            "name": demo.name,
            "job_title": demo.job_title,
            "member_type": demo.member_type,
            "region": demo.region,
            "organisation_name": ORGANISATION_BY_EMAIL.get(demo.email)
            or ORGANISATION_BY_TYPE[demo.member_type],
        },
    )
    user.password = password
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=demo.email, defaults={"verified": True, "primary": True}
    )
    if demo.email in DEMO_TOPICS and not user.topics.exists():
        # Only when they have none: running the demo again keeps what was chosen since.
        user.topics.set(Topic.objects.filter(slug__in=DEMO_TOPICS[demo.email]))
    return user


def seed() -> None:
    plans = {}
    for order, (
        slug,
        name,
        member_type,
        holder,
        interval,
        pence,
        seats,
        invoice,
        trial,
    ) in enumerate(PLANS):
        plans[slug], _ = Plan.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "member_type": member_type,
                "holder": holder,
                "interval": interval,
                "price_pence": pence,
                "seats": seats,
                "allow_invoice": invoice,
                "trial_days": trial,
                "included": INCLUDED[holder],
                "order": order,
            },
        )

    # One hash for everyone: they share the printed password, and each hash takes over
    # half a second on a small machine (make run hashed nine).
    password = make_password(DEMO_PASSWORD)
    people = {demo.email.split("@")[0]: _person(demo, password) for demo in DEMO_USERS}
    today = timezone.localdate()

    staff = people["staff"]
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])

    editors = editors_group()
    moderators = group_with_permissions(MODERATORS_GROUP, MODERATORS_APP_LABELS)
    people["editor"].is_staff = True
    people["editor"].save(update_fields=["is_staff"])
    people["editor"].groups.add(editors)
    people["moderator"].groups.add(moderators)

    def personal_subscription(
        user: User, plan: Plan, status: str, key: str, *, started_days_ago: int = 300
    ) -> None:
        subscription, _ = Subscription.objects.update_or_create(
            stripe_subscription_id=f"sub_demo_{key}",
            defaults={
                "user": user,
                "plan": plan,
                "status": status,
                "current_period_end": timezone.now() + timedelta(days=200)
                if status == SubscriptionStatus.ACTIVE
                else timezone.now() - timedelta(days=20),
                "ended_at": None
                if status == SubscriptionStatus.ACTIVE
                else timezone.now() - timedelta(days=20),
            },
        )
        # Begun long before the seeding, as a real member's: the dashboard's churn counts
        # who held a membership at the start of a period by it (auto_now_add, so set after).
        Subscription.objects.filter(pk=subscription.pk).update(
            created_at=timezone.now() - timedelta(days=started_days_ago)
        )

    personal_subscription(
        people["provider"], plans["provider-annual"], SubscriptionStatus.ACTIVE, "provider"
    )
    personal_subscription(
        people["moderator"], plans["provider-annual"], SubscriptionStatus.ACTIVE, "moderator"
    )
    personal_subscription(
        people["lapsed"],
        plans["provider-monthly"],
        SubscriptionStatus.CANCELED,
        "lapsed",
        started_days_ago=200,
    )

    MembershipGrant.objects.update_or_create(
        user=people["policy"],
        reason=MembershipGrant.Reason.PARTNER,
        defaults={
            "member_type": MemberType.POLICY,
            "starts_on": today - timedelta(days=30),
            "ends_on": today + timedelta(days=335),
            "note": "Research partner (demo).",
            "granted_by": staff,
        },
    )

    council, _ = Organisation.objects.update_or_create(
        slug="northmoor-borough-council",
        defaults={
            "name": "Northmoor Borough Council (fictional)",
            "org_type": MemberType.COMMISSIONER,
            "region": Region.WEST_MIDLANDS,
            "billing_contact_name": "Accounts Payable",
            "billing_email": "accounts.payable@northmoor.example.org",
            "billing_address": "Civic Centre\nNorthmoor\nNM1 1AA",
            "purchase_order_number": "PO-2026-0412",
            "verified_domain": "northmoor.example.org",
        },
    )
    northmoor, _ = Subscription.objects.update_or_create(
        stripe_subscription_id="sub_demo_northmoor",
        defaults={
            "organisation": council,
            "plan": plans["council-organisation"],
            "status": SubscriptionStatus.ACTIVE,
            "collection_method": Subscription.CollectionMethod.INVOICE,
            "quantity": 20,
            "current_period_end": timezone.now() + timedelta(days=240),
        },
    )
    Subscription.objects.filter(pk=northmoor.pk).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    # Last year's invoice, paid by bank transfer and marked paid by staff.
    Invoice.objects.update_or_create(
        stripe_invoice_id="in_demo_northmoor_2026",
        defaults={
            "subscription": northmoor,
            "number": "NORTHMOOR-0001",
            "status": Invoice.Status.PAID,
            "amount_due_pence": 180000,
            "due_date": timezone.now() - timedelta(days=95),
            "paid_out_of_band": True,
            "created_at": timezone.now() - timedelta(days=125),
        },
    )
    Seat.objects.update_or_create(
        organisation=council,
        user=people["orgadmin"],
        defaults={"is_admin": True, "taken_through": Seat.TakenThrough.CREATOR},
    )
    Seat.objects.update_or_create(
        organisation=council,
        user=people["commissioner"],
        defaults={"is_admin": False, "taken_through": Seat.TakenThrough.INVITATION},
    )
    plan_by_type = {
        MemberType.PROVIDER: plans["provider-annual"],
        MemberType.COMMISSIONER: plans["commissioner-annual"],
        MemberType.POLICY: plans["policy-annual"],
    }
    for email, name, job_title, member_type, region, organisation_name in FORUM_VOICES:
        voice, created = User.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "job_title": job_title,
                "member_type": member_type,
                "region": region,
                "organisation_name": organisation_name,
                "date_joined": timezone.now() - timedelta(days=400),
            },
        )
        if created:
            voice.set_unusable_password()
            voice.save(update_fields=["password"])
        personal_subscription(voice, plan_by_type[member_type], SubscriptionStatus.ACTIVE,
                              email.split("@")[0])  # fmt: skip
