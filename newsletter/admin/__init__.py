"""The newsletter's admin, split by concept; importing the modules registers them:
editions      newsletters, editions (preview, test, send, progress) and the records
              of what was sent
subscribers   subscribers and their consent, read only; adding someone at their
              request, and sending the confirmation again
"""

from newsletter.admin import editions, subscribers  # noqa: F401
