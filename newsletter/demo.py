"""Demo content of the newsletter: two newsletters, the demo people's subscriptions, a few
sent editions in the archive (one for members only) and a draft for editors to try.

Everything found or created by a natural key, so running it again changes nothing.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from forum.models import Thread
from members.models import MemberType
from newsletter.models import Consent, Edition, Newsletter, Section, Subscriber
from newsletter.rendering import edition_prepare, edition_render, section_html
from newsletter.services import CONSENT_TEXT
from practice_library.models import Resource

NEWSLETTERS = [
    (
        "network-newsletter",
        "The Network newsletter",
        "Once a month: practice, research and news for everyone improving children's homes.",
        "",
    ),
    (
        "commissioners-briefing",
        "Commissioners' briefing",
        "For commissioners: sufficiency, framework contracts and the market, every quarter.",
        MemberType.COMMISSIONER,
    ),
]

# (email, newsletters, weekly digest, daily digest)
SUBSCRIPTIONS = [
    ("provider@example.org", ["network-newsletter"], True, False),
    ("commissioner@example.org", ["network-newsletter", "commissioners-briefing"], True, True),
    ("policy@example.org", ["network-newsletter"], False, True),
    ("editor@example.org", ["network-newsletter"], False, False),
    ("registered@example.org", ["network-newsletter"], True, False),
]

# (newsletter, subject, preheader, days ago (None: a draft), archive access, introduction,
#  featured resource slugs, forum highlights: (introduction, titles of demo threads))
EDITIONS = [
    (
        "network-newsletter",
        "Staying Close, one year on",
        "What two fictional homes learned, and a new planning checklist.",
        62,
        Edition.ArchiveAccess.PUBLIC,
        "Welcome to this month's newsletter. Staying Close lets young people leaving a "
        "children's home live nearby and keep the relationships that matter to them. This "
        "month we look at what the first year taught two fictional homes.",
        ["staying-close-explained", "leaving-care-transition-planning"],
        (
            "Members compared how they keep in touch with young people after they move on, "
            "and what a good first week in a new flat looks like.",
            ["Staying Close: practical first steps for a small provider"],
        ),
    ),
    (
        "network-newsletter",
        "Preparing for inspection without the panic",
        "A checklist, a recorded session and what inspectors ask registered managers.",
        31,
        Edition.ArchiveAccess.PUBLIC,
        "Studies of homes that stayed good or outstanding for years point to the culture "
        "of the home and strong leadership. This edition gathers what helps a team prepare "
        "for an Ofsted inspection calmly.",
        [
            "preparing-for-your-ofsted-inspection",
            "recording-preparing-for-inspection-the-spring-free-session",  # events/demo.py
            "regulation-44-visits-getting-value",
        ],
        (
            "A busy thread on getting real value from Regulation 44 visits: what to ask the "
            "independent visitor, how to keep the visits fresh, and how to track every "
            "recommendation to an action.",
            ["Getting real value from Regulation 44 visits"],
        ),
    ),
    (
        "commissioners-briefing",
        "Sufficiency and the framework contract",
        "Using local data to plan places, and the model contract explained.",
        20,
        Edition.ArchiveAccess.MEMBERS,
        "Councils have a duty to commission enough good-quality places for the children "
        "they look after. This briefing is for commissioners planning next year's places.",
        ["sufficiency-duty-explained", "framework-contract-for-childrens-homes"],
        (
            "In the commissioners' room, members compared how they show the gap between need "
            "and local places in their sufficiency statements, including a one-page version "
            "for providers; and councils and providers discussed this year's fee reviews.",
            [
                "Sufficiency statements: how are you showing the gap?",
                "Fee uplifts this year: how are councils and providers approaching them?",
            ],
        ),
    ),
    (
        "network-newsletter",
        "Workforce: keeping good people",
        "Draft: retention, supervision and training leads.",
        None,
        Edition.ArchiveAccess.PUBLIC,
        "Draft introduction: what the homes that keep their staff do differently.",
        [
            "what-outstanding-homes-have-in-common",
            "workforce-research-for-policy-makers",
            "waking-night-staff-guide",
        ],
        (
            "The longest thread in the forum this autumn: what keeps new residential care "
            "workers past their first six months.",
            ["Keeping new residential care workers past their first six months"],
        ),
    ),
]


def seed() -> None:
    newsletters = {}
    for order, (slug, name, description, restricted_to) in enumerate(NEWSLETTERS):
        newsletters[slug], _ = Newsletter.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "restricted_to": restricted_to,
                "order": order,
            },
        )

    users = {user.email: user for user in get_user_model().objects.all()}
    for email, slugs, weekly, daily in SUBSCRIPTIONS:
        user = users.get(email)
        subscriber, created = Subscriber.objects.get_or_create(
            email=email,
            defaults={
                "user": user,
                "name": user.name if user else "",
                "state": Subscriber.State.SUBSCRIBED,
                "confirmed_at": timezone.now(),
                "weekly_digest": weekly,
                "daily_digest": daily,
            },
        )
        if created:
            subscriber.newsletters.set([newsletters[slug] for slug in slugs])
            if user is not None:
                subscriber.topics.set(user.topics.all())
            Consent.objects.create(
                subscriber=subscriber,
                action=Consent.Action.ACCOUNT,
                form="demo content",
                text=CONSENT_TEXT,
                choices={"newsletters": slugs, "weekly_digest": weekly, "daily_digest": daily},
            )

    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    for row in EDITIONS:
        slug, subject, preheader, days_ago, access, introduction, featured, forum = row
        edition, created = Edition.objects.get_or_create(
            newsletter=newsletters[slug],
            subject=subject,
            defaults={
                "preheader": preheader,
                "introduction": introduction,
                "archive_access": access,
            },
        )
        if not created:
            continue
        edition_prepare(edition)
        edition.save()
        library = Section.objects.create(
            edition=edition, order=1, kind=Section.Kind.RESOURCES, title="From the library"
        )
        library.resources.set(Resource.objects.filter(slug__in=featured))
        if forum:
            introduction, titles = forum
            section = Section(
                edition=edition, order=2, kind=Section.Kind.FORUM, title="From the forum"
            )
            section.body = introduction
            section.body_html = section_html(section)
            section.save()
            section.threads.set(Thread.objects.filter(title__in=titles))
        if days_ago is None:
            continue
        sent_at = datetime.combine(today - timedelta(days=days_ago), time(8, 0), tzinfo=tz)
        edition.rendered_html, edition.rendered_text = edition_render(edition)
        Edition.objects.filter(pk=edition.pk).update(
            status=Edition.Status.SENT,
            rendered_html=edition.rendered_html,
            rendered_text=edition.rendered_text,
            started_at=sent_at,
            finished_at=sent_at + timedelta(minutes=4),
        )
