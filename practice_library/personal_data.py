"""What the library stores about a person: bookmarks, what they read recently and the
free reads of members-only resources they used. See network/data_rights.py."""

from datetime import timedelta

from network.data_rights import ErasureChoices, ExportArchive, Retention, iterate
from practice_library.models import Bookmark, FreeRead, RecentRead

RETENTION = [
    Retention(
        model="practice_library.RecentRead",
        field="read_at",
        period=timedelta(days=365),
        what="Library resources you read recently",
        why="To offer them again on your pages; older reads are no longer shown.",
        starts="after you read it",
    ),
    Retention(
        model="practice_library.FreeRead",
        field="created_at",
        period=timedelta(days=90),
        what="Members-only resources opened with a monthly free read",
        why="To count the free reads of the current month.",
    ),
]


def export(user, archive: ExportArchive) -> None:
    archive.add_part(
        "library_bookmarks",
        "Library bookmarks",
        [("resource__title", "Resource"), ("created_at", "Bookmarked")],
        iterate(
            Bookmark.objects.filter(user=user)
            .order_by("pk")
            .values("resource__title", "created_at")
        ),
        about="Library resources you bookmarked.",
    )
    archive.add_part(
        "library_reads",
        "Library resources you read recently",
        [("resource__title", "Resource"), ("read_at", "Read")],
        iterate(
            RecentRead.objects.filter(user=user).order_by("pk").values("resource__title", "read_at")
        ),
        about="The resources you read lately, listed for you on your library page.",
    )
    archive.add_part(
        "library_free_reads",
        "Free reads of members-only resources",
        [("resource__title", "Resource"), ("month", "Month"), ("created_at", "Read")],
        iterate(
            FreeRead.objects.filter(user=user)
            .order_by("pk")
            .values("resource__title", "month", "created_at")
        ),
        about="Members-only resources you opened as a free read while not a member.",
    )


def erase(user, choices: ErasureChoices) -> None:
    Bookmark.objects.filter(user=user).delete()
    RecentRead.objects.filter(user=user).delete()
    FreeRead.objects.filter(user=user).delete()
