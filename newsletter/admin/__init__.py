"""The newsletter's admin, split by concept; importing the modules registers them:
editions      newsletters and editions (preview, test, send, progress)
records       what the sending recorded (deliveries, digest periods), read only
subscribers   subscribers and their consent, read only; adding someone at their
              request, and sending the confirmation again
suppressions  addresses never to be written to again, found by the address typed in;
              adding one by hand when the person asks staff never to be emailed
"""

from newsletter.admin import editions, records, subscribers, suppressions  # noqa: F401
