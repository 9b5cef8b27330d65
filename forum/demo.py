"""Demo forum: the categories of a members' forum and conversations written for this
project. Every organisation, home and person named is fictional; no post describes a
real child. Safe to run again: categories by slug, threads by title.
"""

from datetime import timedelta

from django.utils import timezone

from forum.models import Category, Follow, ForumPreference, Post, ReportReason, ReviewItem, Thread
from forum.services import posting, publishing, reports
from members.models import User
from network.markup import MARKUP_RENDERER_VERSION, render_markdown

# slug, name, description, audience flags, pre-moderated
CATEGORIES = [
    ("commissioning-and-contracts", "Commissioning and contracts",
     "Frameworks, spot purchasing, fees and working with councils.", {}, False),
    ("workforce-and-training", "Workforce and training",
     "Recruiting and keeping staff, qualifications, supervision and development.", {}, False),
    ("inspection-and-quality", "Inspection and quality",
     "Preparing for Ofsted, Regulation 44 visits and what good looks like.", {}, False),
    ("leaving-care-and-staying-close", "Leaving care and Staying Close",
     "Helping young people move on well and keep the relationships that matter.", {}, False),
    ("safeguarding-practice", "Safeguarding practice",
     "Missing from care, exploitation and keeping children safe. Every post here is read "
     "by a moderator before it appears.", {}, True),
    ("commissioners-room", "Commissioners' room",
     "For local-authority commissioners only: sufficiency, market shaping and frameworks.",
     {"providers_may_read": False, "policy_may_read": False, "providers_may_post": False,
      "policy_may_post": False}, False),
    ("welcome", "Welcome and introductions",
     "Say hello and tell others what you work on. Readable by everyone signed in.",
     {"registered_may_read": True}, False),
]  # fmt: skip

# category slug, title, pinned, [(author email, days ago, body), ...]
THREADS = [
    (
        "welcome",
        "Welcome to the members' forum: please read before posting",
        True,
        [
            (
                "moderator@example.org",
                30,
                "Welcome! This forum is for everyone improving residential child care: providers, "
                "commissioners and policy makers.\n\n"
                "**One rule above all:** never identify a child or a person in care. No names, "
                "initials, dates of birth, home, school or placement names, photos or case "
                "numbers. If you see a post that might, use *Report*: it is hidden at once while a "
                "moderator looks.\n\nEverything else: be kind, be specific, share what worked.",
            ),
        ],
    ),
    (
        "commissioning-and-contracts",
        "Spot purchasing versus frameworks: what is working for you?",
        False,
        [
            (
                "commissioner@example.org",
                9,
                "We are reviewing how much we place through our regional framework and how much we "
                "spot purchase. Spot placements are now the larger share for us, mostly because "
                "framework homes are full.\n\nHas anyone moved more placements back onto a "
                "framework? What made providers want to join?",
            ),
            (
                "provider@example.org",
                8,
                "Speaking as a small provider (two homes): the framework tender took us weeks and "
                "the price review clause did not keep pace with staff costs. A shorter application "
                "and an annual uplift linked to wages would bring us back.",
            ),
            (
                "orgadmin@example.org",
                7,
                "We added a block-contract lot for two homes last year. It gave the provider "
                "certainty and us stable placements close to home. Happy to share the lot "
                "specification (fictional council names removed) if useful.",
            ),
            (
                "policy@example.org",
                6,
                "Useful thread. The 2007 national framework contract is still a good reference "
                "for standard terms, even where regional frameworks have replaced it.",
            ),
        ],
    ),
    (
        "commissioning-and-contracts",
        "Invoices, PO numbers and paying providers on time",
        False,
        [
            (
                "provider@example.org",
                4,
                "Our invoices are often returned because they lack the right purchase-order "
                "number. How do other providers get the PO before the placement starts?",
            ),
            (
                "commissioner@example.org",
                3,
                "We now issue the PO number with the placement agreement, on the same day. Ask "
                "for it in your acceptance email; it saves weeks.",
            ),
        ],
    ),
    (
        "workforce-and-training",
        "Keeping new residential care workers past their first six months",
        False,
        [
            (
                "provider@example.org",
                12,
                "Our biggest loss of staff is in the first six months. What has made a difference "
                "for you? We are trying a named mentor for every new starter and a protected hour "
                "of supervision each fortnight.",
            ),
            (
                "moderator@example.org",
                11,
                "A shadowing rota that pairs new staff with the same experienced colleague for "
                "their first month helped us. So did being honest at interview about night shifts.",
            ),
            (
                "policy@example.org",
                10,
                "Research summaries in the library point the same way: culture and leadership "
                "keep staff. Worth reading alongside this thread.",
            ),
        ],
    ),
    (
        "inspection-and-quality",
        "Preparing for an inspection: what inspectors asked us about",
        False,
        [
            (
                "moderator@example.org",
                15,
                "Our home (a fictional example for this thread: Larch House) had its full "
                "inspection last month. Inspectors spent most time on how we record and learn from "
                "incidents, and on how children's views shape daily life.\n\nTips:\n\n"
                "- keep your Regulation 44 reports and your responses together\n"
                "- be ready to show how you acted on the last recommendations\n"
                "- let staff talk about their own practice",
            ),
            (
                "provider@example.org",
                14,
                "Thank you, this is really helpful. Did they look at supervision records too?",
            ),
            (
                "moderator@example.org",
                13,
                "Yes, a sample of supervision notes, and they asked a new worker about their "
                "induction.",
            ),
        ],
    ),
    (
        "leaving-care-and-staying-close",
        "Staying Close: practical first steps for a small provider",
        False,
        [
            (
                "provider@example.org",
                5,
                "We want to offer Staying Close for young people leaving our home. Where did "
                "others start: housing, staffing, or the conversation with the council?",
            ),
            (
                "commissioner@example.org",
                4,
                "Start with the council's leaving-care team. We funded a key worker role shared "
                "between two providers, and a housing association found two flats nearby.",
            ),
        ],
    ),
    (
        "commissioners-room",
        "Sufficiency statements: how are you showing the gap?",
        False,
        [
            (
                "commissioner@example.org",
                2,
                "We are rewriting our sufficiency statement. How are others presenting the gap "
                "between need and local places without it reading as a shopping list?",
            ),
            (
                "orgadmin@example.org",
                1,
                "We show need by age band and type of home against current local places, then "
                "three actions with dates. Members of the council's cabinet found it clearer.",
            ),
        ],
    ),
]


def _category(slug, name, description, flags, premoderated, order) -> Category:
    defaults = {
        "name": name,
        "description": description,
        "order": order,
        "is_premoderated": premoderated,
        "providers_may_read": True,
        "commissioners_may_read": True,
        "policy_may_read": True,
        "providers_may_post": True,
        "commissioners_may_post": True,
        "policy_may_post": True,
        "registered_may_read": False,
        **flags,
    }
    category, _ = Category.objects.update_or_create(slug=slug, defaults=defaults)
    return category


def seed() -> None:
    categories = {}
    for order, (slug, name, description, flags, premoderated) in enumerate(CATEGORIES):
        categories[slug] = _category(slug, name, description, flags, premoderated, order)
    people = {user.email: user for user in User.objects.all()}
    moderator = people.get("moderator@example.org")
    if moderator is not None:
        categories["safeguarding-practice"].moderators.add(moderator)
    now = timezone.now()
    for slug, title, pinned, posts in THREADS:
        category = categories[slug]
        if Thread.objects.filter(category=category, title=title).exists():
            continue
        authors = [people.get(email) for email, _, _ in posts]
        if any(author is None for author in authors):
            continue  # the demo people are seeded by members/demo.py first
        started = now - timedelta(days=posts[0][1], hours=3)
        thread = Thread.objects.create(
            category=category,
            title=title,
            author=authors[0],
            is_pinned=pinned,
            created_at=started,
            last_post_at=started,
            post_number_counter=len(posts),
        )
        for number, ((_email, days_ago, body), author) in enumerate(
            zip(posts, authors, strict=True), start=1
        ):
            post = Post.objects.create(
                thread=thread,
                post_number=number,
                author=author,
                body=body,
                body_html=render_markdown(body),
                renderer_version=MARKUP_RENDERER_VERSION,
                created_at=now - timedelta(days=days_ago, hours=3 - min(number, 3)),
            )
            publishing.post_search_index(post)
            Follow.objects.get_or_create(user=author, thread=thread)
        publishing.thread_search_index(thread)
        publishing.thread_recount(thread)
    for category in categories.values():
        publishing.category_recount(category)
    # The demo members have confirmed the safeguarding reminder already.
    for email in ("provider@example.org", "commissioner@example.org", "moderator@example.org",
                  "policy@example.org", "orgadmin@example.org"):  # fmt: skip
        if email in people:
            ForumPreference.objects.get_or_create(
                user=people[email], defaults={"child_safety_confirmed_at": now}
            )


def seed_through_services() -> None:
    """Something for the demo moderator to review: a reply the watch list held (it gives
    an age and a start date) and a post reported for naming a member of staff. Both go
    through the same services as on the site, so holds and reports behave as they do."""
    if ReviewItem.objects.exists():
        return
    people = {user.email: user for user in User.objects.all()}
    policy = people.get("policy@example.org")
    commissioner = people.get("commissioner@example.org")
    staying_close = Thread.objects.filter(
        title="Staying Close: practical first steps for a small provider"
    ).first()
    if policy is None or commissioner is None or staying_close is None:
        return
    posting.post_reply(
        author=policy,
        thread=staying_close,
        body=(
            "One young man we worked with, aged 17, moved out in March 2024 and still "
            "drops in for Sunday lunch. The relationship carried him through the first winter."
        ),
        confirmed_child_safety=True,
    )
    reported = (
        Post.objects.filter(thread__title__startswith="Spot purchasing", post_number=3)
        .select_related("thread")
        .first()
    )
    if reported is not None:
        reports.report_create(
            reporter=commissioner,
            post=reported,
            reason=ReportReason.OTHER,
            details="Could the offer to share the lot specification move to email? (demo report)",
        )
