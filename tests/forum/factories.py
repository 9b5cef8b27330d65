"""Factories for the forum's tests: rooms, threads with numbered posts, posts held or
reported, watch-list patterns, members of a type, and the person who moderates a room.

A moderator of every room is the `moderator` fixture (tests/conftest.py); someone who
moderates one room is `category_moderator(room)`.
"""

from datetime import timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify

from forum.models import (
    Category,
    HoldReason,
    Post,
    PostState,
    Report,
    ReportReason,
    ReviewItem,
    ReviewKind,
    Thread,
    ThreadState,
    WatchPattern,
)
from forum.services import publishing
from members.models import MemberType
from network.markup import MARKUP_RENDERER_VERSION, render_markdown
from tests.members.factories import PlanFactory, SubscriptionFactory, UserFactory
from tests.roles import with_two_factor


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Practice room {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    description = "Exchanging practice."


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread

    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"Preparing for a Regulation 44 visit, part {n}")
    author = factory.SubFactory(UserFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    thread = factory.SubFactory(ThreadFactory)
    post_number = factory.LazyAttribute(
        lambda o: Thread.objects.get(pk=o.thread.pk).post_number_counter + 1
    )
    author = factory.SubFactory(UserFactory)
    body = "We keep a shared log of actions agreed after each visit and review it monthly."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))

    @factory.post_generation
    def _count(obj, create, extracted, **kwargs):
        if create and obj.post_number > obj.thread.post_number_counter:
            Thread.objects.filter(pk=obj.thread_id).update(post_number_counter=obj.post_number)
            obj.thread.post_number_counter = obj.post_number


def member_of_type(member_type: str = MemberType.PROVIDER, **user_fields):
    """A member with an active personal subscription of `member_type`."""
    plan = PlanFactory(slug=f"forum-{member_type}", member_type=member_type)
    user = UserFactory(member_type=member_type, **user_fields)
    SubscriptionFactory(user=user, plan=plan)
    return user


def category_moderator(category: Category, *, two_factor: bool = True, **user_fields):
    """A member who moderates `category` (Category.moderators), and no other room, with
    two-factor set up as moderators must (forum/middleware.py) unless `two_factor=False`."""
    user = member_of_type(**user_fields)
    category.moderators.add(user)
    return with_two_factor(user) if two_factor else user


def thread_with_posts(
    *,
    category: Category | None = None,
    posts: int = 3,
    author=None,
    authors=None,
    title: str | None = None,
    created=None,
    **thread_fields,
) -> Thread:
    """A visible thread with `posts` visible posts, written straight to the database (fast,
    no screening), with search vectors and counters as the services keep them. Who wrote
    them: `authors` in turn, else `author` every one, else a different person each."""
    category = category or CategoryFactory()
    created = created or timezone.now() - timedelta(hours=posts + 1)
    if authors is None:
        authors = [author] if author is not None else [UserFactory() for _ in range(posts)]
    if title:
        thread_fields["title"] = title
    thread = ThreadFactory(
        category=category,
        author=authors[0],
        created_at=created,
        last_post_at=created,
        post_number_counter=posts,
        **thread_fields,
    )
    bodies = [
        f"Post {number}: what worked for us before the visit. Our supervision and rotas helped."
        for number in range(1, posts + 1)
    ]
    Post.objects.bulk_create(
        [
            Post(
                thread=thread,
                post_number=number,
                author=authors[(number - 1) % len(authors)],
                body=body,
                body_html=render_markdown(body),
                renderer_version=MARKUP_RENDERER_VERSION,
                created_at=created + timedelta(minutes=number),
            )
            for number, body in enumerate(bodies, start=1)
        ]
    )
    for post in Post.objects.filter(thread=thread):
        publishing.post_search_index(post)
    publishing.thread_search_index(thread)
    publishing.thread_recount(thread)
    publishing.category_recount(category)
    thread.refresh_from_db()
    return thread


def held_post(*, thread: Thread | None = None, body: str | None = None, **kwargs) -> Post:
    """A reply held for review, with its open queue item."""
    thread = thread or thread_with_posts(posts=1)
    reason = kwargs.pop("hold_reason", HoldReason.NEW_MEMBER)
    created_at = kwargs.pop("created_at", timezone.now())
    post = PostFactory(
        thread=thread,
        state=PostState.HELD,
        hold_reason=reason,
        body=body or "My first post: how do other homes plan staff rotas over Christmas?",
        created_at=created_at,
        **kwargs,
    )
    ReviewItem.objects.create(
        post=post, kind=ReviewKind.HELD, hold_reason=reason, created_at=created_at
    )
    return post


def held_thread(*, category: Category | None = None, **kwargs) -> Post:
    """A new thread whose opening post is held: the thread waits too."""
    thread = ThreadFactory(category=category or CategoryFactory(), state=ThreadState.HELD)
    return held_post(thread=thread, **kwargs)


def reported_item(
    *,
    post: Post | None = None,
    reason: str = ReportReason.ABUSIVE,
    reporters: int = 1,
    created_at=None,
    details: str = "",
) -> ReviewItem:
    """An open queue item with reports from `reporters` different members."""
    post = post or thread_with_posts(posts=2).posts.get(post_number=2)
    created_at = created_at or timezone.now()
    urgent = reason in ("child", "safeguarding")
    item = ReviewItem.objects.create(
        post=post,
        kind=ReviewKind.REPORTED,
        is_urgent=urgent,
        report_count=reporters,
        created_at=created_at,
    )
    for _ in range(reporters):
        Report.objects.create(
            post=post,
            reporter=member_of_type(),
            reason=reason,
            details=details
            or ("Names the home and the young person." if reason == "other" else ""),
            review_item=item,
            created_at=created_at,
        )
    if urgent and post.state == PostState.VISIBLE:
        Post.objects.filter(pk=post.pk).update(state=PostState.HIDDEN)
        publishing.thread_recount(post.thread)
        publishing.category_recount(post.thread.category)
        post.refresh_from_db()
    return item


def watch_pattern(**kwargs) -> WatchPattern:
    defaults = {
        "name": "Age of a young person",
        "kind": WatchPattern.Kind.REGEX,
        "pattern": r"\baged\s+\d{1,2}\b",
        "action": WatchPattern.Action.HOLD,
    }
    defaults.update(kwargs)
    return WatchPattern.objects.create(**defaults)
