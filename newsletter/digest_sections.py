"""The newsletter's own digest sections that come from other apps' content, declared as
the forum declares its own (see newsletter/digests.py); the library's are registered in
digests.py itself."""

from newsletter.events_section import upcoming_events

SECTIONS = [
    {"key": "events-upcoming", "provider": upcoming_events, "kinds": ["weekly"], "order": 25},
]
