"""Who may see, register for and use what of an event, built on members/access.py.

Views, templates, tasks and the newsletter ask these functions; nothing else reads an
event's eligibility or a registration's status to decide access.

    seeing an event        everyone, once it is published (also finished or cancelled);
                           drafts only editors and staff (who manage events)
    registering            "who may register" (Eligibility):
                             open, registered   anyone signed in
                             members            members (members_access.is_member)
                             member type        members of that type (member_type)
                           editors and staff always (they run the sessions); and only while
                           the event is published and its registration window is open
    joining link           people holding a confirmed place who are still among those
                           the event is for (a place booked as a member does not open a
                           members' session once the membership has ended), from
                           EVENTS_JOINING_LINK_MINUTES before the start until the end;
                           editors and staff always
    recording and slides   the people who may register (open events: everyone, also
                           visitors), once the event has finished or started
    certificate            the person whose registration was marked attended, once the
                           event has started (attendance marked ahead by mistake does
                           not certify a session that has not happened)
    who registered         the staff who organise events: those given the permission to
                           see registrations (names, addresses, access and dietary
                           needs); to mark attendance, to change them. Editors curate
                           the events and see only their numbers.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from events.models import (
    AUDIENCE_LABELS,
    Eligibility,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from events.templatetags.events import uk_datetime
from members import access as members_access


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_events(user) -> bool:
    """Editors and staff create, publish and run events in the admin."""
    return members_access.is_editor(user) or members_access.is_staff(user)


def can_see_registrations(user) -> bool:
    """Who registered, with the access and dietary needs they gave (which can tell of
    their health): the event organisers only, not every editor."""
    return members_access.is_staff(user) and user.has_perm("events.view_registration")


def can_mark_attendance(user) -> bool:
    """The attendance register names everyone with a place and changes registrations."""
    return members_access.is_staff(user) and user.has_perm("events.change_registration")


def can_see_event(user, event: Event) -> bool:
    if event.status != EventStatus.DRAFT:
        return True
    return can_manage_events(user)


def is_eligible(user, event: Event) -> bool:
    """Is this person among those the event is for (leaving its dates aside)?"""
    if not _signed_in(user):
        return False
    if can_manage_events(user):
        return True
    if event.eligibility in (Eligibility.OPEN, Eligibility.REGISTERED):
        return True
    if event.eligibility == Eligibility.MEMBERS:
        return members_access.is_member(user)
    if event.eligibility == Eligibility.MEMBER_TYPE:
        return bool(event.member_type) and members_access.member_type(user) == event.member_type
    return False


def open_to_free_accounts(event: Event) -> bool:
    """May anyone with a free account register (so a visitor is invited to make one), or
    is the event for members (so a visitor is invited to join)?"""
    return event.eligibility in (Eligibility.OPEN, Eligibility.REGISTERED)


def registration_problem(user, event: Event, *, now: datetime | None = None) -> str | None:
    """Why this person cannot register now, in words for them; None when they can."""
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return "This event has been cancelled, so it takes no registrations."
    if event.status == EventStatus.FINISHED or event.ends_at <= now:
        return "This event has finished."
    if event.status != EventStatus.PUBLISHED:
        return "This event is not open for registration."
    if not _signed_in(user):
        return "Sign in to register."
    if not is_eligible(user, event):
        return eligibility_text(event, refused=True)
    if event.registration_opens_at and now < event.registration_opens_at:
        return f"Registration opens on {uk_datetime(event.registration_opens_at)}."
    if now >= event.closes_at:
        return "Registration has closed."
    return None


def membership_would_open(user, event: Event) -> bool:
    """Would becoming a member (or renewing) open this members' event to this person? Not
    to a member of another type: they are members already, and their type is the reason."""
    if event.eligibility not in (Eligibility.MEMBERS, Eligibility.MEMBER_TYPE):
        return False
    if not _signed_in(user) or is_eligible(user, event):
        return False
    return not members_access.is_member(user)


def _member_type_label(event: Event) -> str:
    return AUDIENCE_LABELS.get(event.member_type, "one member type").lower()


def recording_audience(event: Event) -> str:
    """Whom a refused event's recording and slides are for, to follow "for": "members",
    or "members who are commissioners" (a member of another type is a member too)."""
    if event.eligibility == Eligibility.MEMBER_TYPE:
        return f"members who are {_member_type_label(event)}"
    return "members"


def eligibility_text(event: Event, *, refused: bool = False) -> str:
    """Who may register, as a sentence (or, `refused`, why this person may not)."""
    if event.eligibility == Eligibility.OPEN:
        return "Open to all: anyone with a free account may register."
    if event.eligibility == Eligibility.REGISTERED:
        return "For everyone with a free account, members or not."
    if event.eligibility == Eligibility.MEMBERS:
        return "This event is for members only." if refused else "For members of the network."
    label = _member_type_label(event)
    if refused:
        return f"This event is for members who are {label} only."
    return f"For members who are {label}."


def can_see_joining_link(
    user, event: Event, registration: Registration | None, *, now: datetime | None = None
) -> bool:
    if not event.is_online or not event.online_link or event.status == EventStatus.CANCELLED:
        return False
    if can_manage_events(user):
        return True
    if registration is None or registration.user_id != getattr(user, "pk", None):
        return False
    if registration.status != RegistrationStatus.CONFIRMED:
        return False
    if not is_eligible(user, event):
        return False
    now = now or timezone.now()
    opens = event.starts_at - timedelta(minutes=settings.EVENTS_JOINING_LINK_MINUTES)
    return opens <= now < event.ends_at


def place_needs_renewal(user, event: Event, registration: Registration | None) -> bool:
    """Does this person hold a place booked while a member, at an event for members,
    that their ended membership no longer opens?"""
    return (
        registration is not None
        and registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
        and not is_eligible(user, event)
    )


def joining_link_opens_at(event: Event) -> datetime:
    return event.starts_at - timedelta(minutes=settings.EVENTS_JOINING_LINK_MINUTES)


def can_see_recording(user, event: Event, *, now: datetime | None = None) -> bool:
    """The recording and slides, once the event has started, for those it was for."""
    if event.status in (EventStatus.DRAFT, EventStatus.CANCELLED):
        return can_manage_events(user)
    now = now or timezone.now()
    if event.starts_at > now and not can_manage_events(user):
        return False
    if event.eligibility == Eligibility.OPEN:
        return True
    return is_eligible(user, event)


def recording_way_in(user, event: Event) -> str | None:
    """Why a signed-in person may not have an event's recording and slides, as what would
    open them: "renew" (their membership ended), "join" (never a member), "other_type" (a
    member of another type), or None when only time stands in the way (not started yet)."""
    if is_eligible(user, event):
        return None
    if members_access.is_member(user):
        return "other_type"
    if members_access.is_lapsed(user):
        return "renew"
    return "join"


def recording_refused(user, event: Event, *, now: datetime | None = None) -> str | None:
    """For the event's page: what would open a held event's recording and slides to a
    signed-in person refused them (as recording_way_in), or None when nothing but
    signing in or time stands in the way, or there is nothing to open (a cancelled
    event's recording is not offered to anyone)."""
    now = now or timezone.now()
    if not _signed_in(user) or event.starts_at > now:
        return None
    if event.status not in (EventStatus.PUBLISHED, EventStatus.FINISHED):
        return None
    if can_see_recording(user, event, now=now):
        return None
    return recording_way_in(user, event)


def can_download_certificate(
    user, registration: Registration, *, now: datetime | None = None
) -> bool:
    return (
        _signed_in(user)
        and registration.user_id == user.pk
        and registration.attended
        and registration.event.status != EventStatus.CANCELLED
        and registration.event.starts_at <= (now or timezone.now())
    )
