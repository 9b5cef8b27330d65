"""Factories for forum tests: categories, threads with numbered posts, members."""

from datetime import timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify

from forum import services
from forum.models import Category, Post, Thread
from members.models import MemberType
from network.markup import MARKUP_RENDERER_VERSION, render_markdown
from tests.factories import PlanFactory, SubscriptionFactory, UserFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Practice room {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    description = "Exchanging practice."


def member_of_type(member_type: str = MemberType.PROVIDER, **user_fields):
    """A member with an active personal subscription of `member_type`."""
    plan = PlanFactory(slug=f"forum-{member_type}", member_type=member_type)
    user = UserFactory(member_type=member_type, **user_fields)
    SubscriptionFactory(user=user, plan=plan)
    return user


def thread_with_posts(
    *, category: Category, author, count: int = 1, authors=None, title: str = "", created=None
) -> Thread:
    """A visible thread with `count` visible posts, written straight to the database
    (fast, no screening), counters recomputed as the services keep them."""
    created = created or timezone.now() - timedelta(hours=count + 1)
    thread = Thread.objects.create(
        category=category,
        title=title or f"Thread about practice {Thread.objects.count() + 1}",
        author=author,
        created_at=created,
        last_post_at=created,
        post_number_counter=count,
    )
    authors = authors or [author]
    Post.objects.bulk_create(
        [
            Post(
                thread=thread,
                post_number=number,
                author=authors[(number - 1) % len(authors)],
                body=f"Post number {number} about supervision and rotas.",
                body_html=render_markdown(f"Post number {number} about supervision and rotas."),
                renderer_version=MARKUP_RENDERER_VERSION,
                created_at=created + timedelta(minutes=number),
            )
            for number in range(1, count + 1)
        ]
    )
    for post in Post.objects.filter(thread=thread):
        services.post_search_index(post)
    services.thread_search_index(thread)
    services.thread_recount(thread)
    services.category_recount(category)
    thread.refresh_from_db()
    return thread
