"""Recompute the forum's denormalised counters (thread and category counts, last post)
from the posts themselves, e.g. after a bulk import or a manual database fix."""

from django.core.management.base import BaseCommand
from django.db.models import Count, Max, OuterRef, Q, Subquery

from forum.models import Category, Post, PostState, Thread
from forum.services import publishing


class Command(BaseCommand):
    help = "Recompute post counts and last-post data of every thread and category."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options) -> None:
        visible = Post.objects.filter(thread=OuterRef("pk"), state=PostState.VISIBLE)
        last = visible.order_by("-post_number")
        threads = (
            Thread.objects.order_by("pk")
            .annotate(
                counted=Count("posts", filter=Q(posts__state=PostState.VISIBLE)),
                top_number=Max("posts__post_number"),
                last_number=Subquery(last.values("post_number")[:1]),
                last_at=Subquery(last.values("created_at")[:1]),
                last_author=Subquery(last.values("author")[:1]),
            )
            .only("pk", "created_at", "post_number_counter")
        )
        changed = []
        done = 0
        for thread in threads.iterator(chunk_size=batch_size):
            thread.post_count = thread.counted
            thread.last_post_number = thread.last_number or 0
            thread.last_post_at = thread.last_at or thread.created_at
            thread.last_post_author_id = thread.last_author
            thread.post_number_counter = max(thread.post_number_counter, thread.top_number or 0)
            changed.append(thread)
            if len(changed) >= batch_size:
                done += self._save(changed)
                changed = []
        done += self._save(changed)
        for category in Category.objects.all():
            publishing.category_recount(category)
        self.stdout.write(
            self.style.SUCCESS(
                f"Recounted {done} threads and {Category.objects.count()} categories."
            )
        )

    def _save(self, threads: list[Thread]) -> int:
        Thread.objects.bulk_update(
            threads,
            ["post_count", "last_post_number", "last_post_at", "last_post_author",
             "post_number_counter"],
        )  # fmt: skip
        return len(threads)
