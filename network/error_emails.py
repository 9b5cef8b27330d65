"""The team's emails about server errors (ADMINS, through Django's AdminEmailHandler): one
for each kind of error every few minutes in each web or worker process.

While the database or another service is down, every request fails the same way: Django
would send one email per failed request, hundreds a minute, each a wait inside the
request for the email service, and the team's inbox (and the sending quota) fills with
copies of one message. Every failure is still written to the log. The interval is kept in
the process, not the cache, because the cache may be what is down."""

import logging
import threading
import time

from django.conf import settings

_lock = threading.Lock()
# When each kind of error was last emailed from this process (time.monotonic()).
_last_emailed: dict[tuple, float] = {}


def error_kind(record: logging.LogRecord) -> tuple:
    """The same failure on any page is one kind: the exception's class and message, or,
    for an error answer without an exception, the logger's message before its page."""
    if record.exc_info and record.exc_info[0] is not None:
        error = record.exc_info[1]
        first_line = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        return (record.name, type(error).__qualname__, first_line)
    return (record.name, str(record.msg), getattr(record, "status_code", None))


class NotEmailedAgainSoon(logging.Filter):
    """Lets a record through to the email handler unless the same kind of error was
    emailed from this process less than ADMIN_ERROR_EMAIL_SECONDS ago."""

    def filter(self, record: logging.LogRecord) -> bool:
        kind = error_kind(record)
        now = time.monotonic()
        with _lock:
            last = _last_emailed.get(kind)
            if last is not None and now - last < settings.ADMIN_ERROR_EMAIL_SECONDS:
                return False
            _last_emailed[kind] = now
        return True
