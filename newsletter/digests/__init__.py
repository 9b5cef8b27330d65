"""Daily and weekly digests: what is new for each subscriber, built from registered SECTIONS.

Beat calls `digest_start(kind=...)` every morning (daily) and every Monday (weekly). It
makes the period once (unique on kind and period start, so a second beat run finds it),
freezes its recipients (one DigestDelivery per subscriber, unique, inserted with ON CONFLICT
DO NOTHING) and queues chunk tasks. A chunk claims rows (SKIP LOCKED, with a lease the
sweeper returns when a worker dies), asks every section for the recipient's items, skips
anyone with nothing new (state "empty"), and sends the rest on one SMTP connection through
the same shared rate limit and error rules as editions, marking each row sent at once.

Sections
--------
Every app that adds to the digests declares its sections in a `digest_sections.py` module
of its own, found with Django's `autodiscover_modules` when the newsletter app is ready (as
the admin finds admin.py), so apps below the newsletter never import it (see the README's
import rule):

    # forum/digest_sections.py
    def active_threads(reader, period):
        threads = ...  # what `reader` may read, on their topics, within the period
        if not threads:
            return None  # nothing: the section is left out
        return {"title": "Active forum threads",
                "items": [{"title": t.title, "url": t.url, "note": "12 replies"}]}

    SECTIONS = [
        {"key": "forum-active", "provider": active_threads, "kinds": ["daily"], "order": 20},
        {"key": "forum-busiest", "provider": busiest_threads, "kinds": ["weekly"]},
        {"key": "forum-followed", "provider": followed_threads},
    ]

`reader` is a `Reader` (the subscriber, their account if any, their topics, and `may_read`
which asks members/access.py); `period` is the DigestPeriod (kind, period_start,
period_end). A provider returns a DigestSection (or a dict with "title" and "items", each
item a dict with "title", "url" and optionally "summary" and "note"), or None, and makes its
own queries: cache per period what is the same for everyone (see the library's sections in
newsletter/digest_sections.py).

The package: sections (the registry and discovery), periods (making a period, freezing
its recipients, queuing it), sending (the chunk task's service and the sweeper).
"""
