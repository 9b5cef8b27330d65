"""Render stored Markdown again after network.markup's rules changed.

Pages show the HTML kept beside each source, so a release that bumps
MARKUP_RENDERER_VERSION runs this once (in the background: pages keep showing the older,
equally safe HTML meanwhile). Safe to stop and run again.
"""

from django.core.management.base import BaseCommand

from network.services import STORED_MARKUP, markup_rerender


class Command(BaseCommand):
    help = "Re-render forum posts, resources, data pages and events kept by an older renderer."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options) -> None:
        for stored in STORED_MARKUP:
            done = markup_rerender(stored, batch_size=batch_size)
            self.stdout.write(f"{stored.model}.{stored.html}: {done} rendered again")
