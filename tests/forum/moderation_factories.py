"""Factories for the moderation tests: categories, threads with posts (counters right),
queue items with reports or holds, and the people who moderate."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from forum import moderation
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
from members.access import MODERATORS_GROUP
from network.markup import render_markdown
from tests.factories import SubscriptionFactory, UserFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Workforce and training {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    description = "Recruiting, keeping and developing staff in children's homes."


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


def member(**kwargs):
    """A member with an active personal subscription."""
    user = UserFactory(**kwargs)
    SubscriptionFactory(user=user)
    return user


def forum_moderator(**kwargs):
    user = member(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


def category_moderator(category: Category, **kwargs):
    user = member(**kwargs)
    category.moderators.add(user)
    return user


def thread_with_posts(
    *, category: Category | None = None, posts: int = 3, title: str | None = None, **kwargs
) -> Thread:
    """A visible thread with `posts` visible posts, its and its category's counters right."""
    category = category or CategoryFactory()
    thread = ThreadFactory(category=category, **({"title": title} if title else {}), **kwargs)
    base = timezone.now() - timedelta(hours=posts)
    for number in range(1, posts + 1):
        PostFactory(
            thread=thread,
            post_number=number,
            author=thread.author if number == 1 else UserFactory(),
            created_at=base + timedelta(minutes=number),
            body=f"Post {number}: what worked for us before the visit.",
        )
    thread.refresh_from_db()
    moderation.thread_recount(thread)
    moderation.category_recount(category)
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
            reporter=member(),
            reason=reason,
            details=details
            or ("Names the home and the young person." if reason == "other" else ""),
            review_item=item,
            created_at=created_at,
        )
    if urgent and post.state == PostState.VISIBLE:
        Post.objects.filter(pk=post.pk).update(state=PostState.HIDDEN)
        moderation.thread_recount(post.thread)
        moderation.category_recount(post.thread.category)
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
