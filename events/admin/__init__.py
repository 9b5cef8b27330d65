"""Staff and editors run events here: create and publish, speakers, registrations with
filters and a CSV export, attendance (bulk actions, or a register with checkboxes),
email everyone registered, cancel an event, and make the recording a library resource.

Split by concept; importing the modules registers them:
    events          the event admin: its form, speakers, actions and saving
    pages           the event's own pages: attendance register, message, library
    registrations   registrations (filters, attendance, CSV export) and messages sent
"""

from events.admin import events, registrations  # noqa: F401
