"""The forum's sections of the newsletter's daily and weekly digests.

The newsletter finds this module's SECTIONS (see newsletter/digests/); the forum does
not import the newsletter. Each provider gets the digest's reader (with `.user`, None for
a subscriber without an account) and period (`.period_start`, `.period_end`), and returns
a section as plain data or None. Only threads the reader may read are listed
(forum/summaries.py asks forum/access.py), with title, category and counts: never the
text of a post, so nothing a moderator later removes sits in inboxes.

"Your followed threads" is the daily summary for members who chose it: while
FORUM_DAILY_SUMMARY_IN_DIGEST is on, the forum sends no daily email of its own, so they
get one daily email, not two.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from forum import summaries
from forum.models import ForumPreference, NotifyBy


def _section(title: str, summaries: list[summaries.ThreadSummary]) -> dict | None:
    if not summaries:
        return None
    return {
        "title": title,
        "items": [
            {
                "title": summary.title,
                "url": summary.url,
                "note": (
                    f"{summary.category}: {summary.new_post_count} new "
                    f"{'post' if summary.new_post_count == 1 else 'posts'}, "
                    f"latest by {summary.last_author}"
                ),
            }
            for summary in summaries
        ],
    }


def followed_threads(reader, period) -> dict | None:
    if not settings.FORUM_DAILY_SUMMARY_IN_DIGEST or reader.user is None:
        return None
    chose_summary = ForumPreference.objects.filter(
        user=reader.user, notify_by=NotifyBy.DAILY
    ).exists()
    if not chose_summary:
        return None
    return _section(
        "Your followed threads",
        summaries.followed_thread_summary(reader.user, period.period_start, period.period_end),
    )


def active_threads(reader, period) -> dict | None:
    return _section(
        "Active in the forum",
        summaries.active_threads(
            reader.user or AnonymousUser(), period.period_start, period.period_end, limit=8
        ),
    )


def busiest_threads(reader, period) -> dict | None:
    return _section(
        "Busiest in the forum",
        summaries.busiest_threads(
            reader.user or AnonymousUser(), period.period_start, period.period_end, limit=8
        ),
    )


SECTIONS = [
    {"key": "forum-followed", "provider": followed_threads, "kinds": ["daily"], "order": 5},
    {"key": "forum-active", "provider": active_threads, "kinds": ["daily"], "order": 20},
    {"key": "forum-busiest", "provider": busiest_threads, "kinds": ["weekly"], "order": 40},
]
