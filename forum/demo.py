"""Demo forum: the categories of a members' forum and conversations written for this
project (demo_content/threads/*.md), two of them long enough for two pages, written over
the past months. Every organisation, home and person named is fictional; no post
describes a real child. Safe to run again: categories by slug, threads by title.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from forum.models import (
    Category,
    Follow,
    ForumPreference,
    Post,
    Report,
    ReportReason,
    ReviewItem,
    Thread,
    ThreadReadState,
)
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

CONTENT = Path(__file__).resolve().parent / "demo_content" / "threads"
_POST = re.compile(r"^<!-- post: (\S+) \| (.+?) -->$", re.MULTILINE)
_DAYS_AGO = re.compile(r"^(\d+) days? ago (\d\d):(\d\d)$")
_HOURS_AGO = re.compile(r"^(\d+) hours? ago$")


def _written_at(when: str, *, today: date, now: datetime) -> datetime:
    """`12 days ago 19:42` (a local time that day), or `3 hours ago` (for today's posts,
    which must not land later than the moment the demo is loaded)."""
    if found := _HOURS_AGO.match(when):
        return now - timedelta(hours=int(found.group(1)))
    days, hour, minute = (int(part) for part in _DAYS_AGO.match(when).groups())
    day = today - timedelta(days=days)
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


@dataclass
class DemoPost:
    author: str  # the local part of a demo person's email
    written_at: datetime
    body: str


@dataclass
class DemoThread:
    room: str
    title: str
    pinned: bool
    posts: list[DemoPost]


def demo_threads(*, today: date | None = None) -> list[DemoThread]:
    """The conversations in demo_content/threads/*.md: front matter (room, title,
    pinned), then posts, each after a line `<!-- post: who | N days ago HH:MM -->` (or
    `N hours ago`), so that the demo's dates stay as far in the past whenever it is
    loaded."""
    today = today or timezone.localdate()
    now = timezone.now()
    threads = []
    for path in sorted(CONTENT.glob("*.md")):
        _, front, rest = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = dict(line.split(": ", 1) for line in front.strip().splitlines())
        pieces = _POST.split(rest)
        posts = [
            DemoPost(author, _written_at(when, today=today, now=now), body.strip())
            for author, when, body in zip(pieces[1::3], pieces[2::3], pieces[3::3], strict=True)
        ]
        threads.append(DemoThread(meta["room"], meta["title"], meta.get("pinned") == "yes", posts))
    return threads


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
    by_local_part = {email.split("@")[0]: user for email, user in people.items()}
    for demo in demo_threads():
        category = categories[demo.room]
        if Thread.objects.filter(category=category, title=demo.title).exists():
            continue
        authors = [by_local_part.get(post.author) for post in demo.posts]
        if any(author is None for author in authors):
            continue  # the demo people are seeded by members/demo.py first
        started = demo.posts[0].written_at
        thread = Thread.objects.create(
            category=category,
            title=demo.title,
            author=authors[0],
            is_pinned=demo.pinned,
            created_at=started,
            last_post_at=started,
            post_number_counter=len(demo.posts),
        )
        for number, (post_text, author) in enumerate(zip(demo.posts, authors, strict=True), 1):
            post = Post.objects.create(
                thread=thread,
                post_number=number,
                author=author,
                body=post_text.body,
                body_html=render_markdown(post_text.body),
                renderer_version=MARKUP_RENDERER_VERSION,
                created_at=post_text.written_at,
            )
            publishing.post_search_index(post)
            Follow.objects.get_or_create(user=author, thread=thread)
            # Each person read the thread as far as their own latest post, so that what
            # came after shows as unread on their start page.
            ThreadReadState.objects.update_or_create(
                user=author,
                thread=thread,
                defaults={"last_read_post_number": number, "updated_at": post_text.written_at},
            )
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


# A reply written for the demo to be reported: no one detail the watch list looks for,
# but together they could identify a child (what the forum's reminder warns about).
IDENTIFYING_REPLY = (
    "The inspector spent a long time with our youngest, who has just joined the under-13s "
    "team at the school on the high street and scored in her first match. She told them "
    "everything!"
)


def seed_through_services() -> None:
    """The moderators' queue, with items of different ages: a reply the watch list held
    (it gives an age and a date), a reply waiting in the pre-moderated safeguarding room,
    an urgent report of a post that could identify a child (hidden at once), and a report
    from two days ago, now overdue. Each goes through the services the site uses, so holds
    and reports behave as they do; then its times are moved back to its age."""
    if ReviewItem.objects.exists():
        return
    people = {user.email.split("@")[0]: user for user in User.objects.all()}
    needed = ("policy", "provider", "commissioner", "femi.adebayo", "gareth.lloyd")
    if any(name not in people for name in needed):
        return
    threads = {thread.title: thread for thread in Thread.objects.all()}
    now = timezone.now()

    def aged(post: Post, *, minutes: int, post_too: bool) -> None:
        at = now - timedelta(minutes=minutes)
        if post_too:
            Post.objects.filter(pk=post.pk).update(created_at=at)
        ReviewItem.objects.filter(post=post).update(created_at=at)
        Report.objects.filter(post=post).update(created_at=at)

    staying_close = threads.get("Staying Close: practical first steps for a small provider")
    if staying_close is not None:
        held = posting.post_reply(
            author=people["policy"],
            thread=staying_close,
            body=(
                "One young man we worked with, aged 17, moved out in March 2024 and still "
                "drops in for Sunday lunch. The relationship carried him through the first "
                "winter."
            ),
            confirmed_child_safety=True,
        )
        aged(held, minutes=25, post_too=True)

    return_interviews = threads.get("Return home interviews: who does them where you are?")
    if return_interviews is not None:
        waiting = posting.post_reply(
            author=people["provider"],
            thread=return_interviews,
            body=(
                "We do the same: the keyworker talks with the young person the day after, "
                "and we share a short note with the placing social worker. The formal "
                "interview has been by phone twice this year; we raised it at the placement "
                "review and the council has since arranged visits in person."
            ),
            confirmed_child_safety=True,
        )
        aged(waiting, minutes=160, post_too=True)

    inspection = threads.get("Preparing for an inspection: what inspectors asked us about")
    if inspection is not None:
        identifying = posting.post_reply(
            author=people["femi.adebayo"],
            thread=inspection,
            body=IDENTIFYING_REPLY,
            confirmed_child_safety=True,
        )
        Post.objects.filter(pk=identifying.pk).update(created_at=now - timedelta(hours=7))
        publishing.thread_recount(inspection)
        reports.report_create(
            reporter=people["gareth.lloyd"],
            post=identifying,
            reason=ReportReason.IDENTIFIES_CHILD,
            details="Youngest in the home, her school and her team: together they could identify her.",
        )
        aged(identifying, minutes=310, post_too=False)

    reported = (
        Post.objects.filter(thread__title__startswith="Spot purchasing", post_number=3)
        .select_related("thread")
        .first()
    )
    if reported is not None:
        reports.report_create(
            reporter=people["commissioner"],
            post=reported,
            reason=ReportReason.OTHER,
            details="Could the offer to share the lot specification move to email? (demo report)",
        )
        aged(reported, minutes=2 * 24 * 60 + 190, post_too=False)
