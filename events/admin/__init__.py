"""Staff and editors run events here: create and publish, speakers, email everyone
registered, cancel an event, and make the recording a library resource. Registrations
with filters and a CSV export, and attendance (bulk actions, or a register with
checkboxes), name people and their access and dietary needs: they are for the staff who
organise events (events/access.py), and editors see each event's numbers instead.

Split by concept; importing the modules registers them:
    events          the event admin: speakers, numbers, actions and saving
    event_form      its form, with the slides' file widget
    pages           the event's own pages: attendance register, message, library
    registrations   registrations (filters, attendance, CSV export) and messages sent
"""

from events.admin import events, registrations  # noqa: F401
