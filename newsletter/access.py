"""Who may read which edition in the web archive, and, for those who may not, the way
in (sign in, join, renew, or the member type it is written for); and who in the admin
sees subscribers' addresses. Built on members.access, which alone says who is a member
and of which type."""

from django.db import models

from events.models import AUDIENCE_LABELS
from forum import access as forum_access
from members.access import (
    AccessLevel,
    can_read_for_member_type,
    is_lapsed,
    is_member,
    is_staff,
)
from newsletter.models import Edition, Section


class EditionRefusal(models.TextChoices):
    """Why a members-only edition stays closed to someone, named for the way in."""

    SIGN_IN = "sign_in", "Members only: sign in to read it"
    JOIN = "join", "Members only: join to read it"
    RENEW = "renew", "Members only: renew to read it"
    OTHER_TYPE = "other_type", "For members of another type"


def can_see_delivery_addresses(user) -> bool:
    """The address each email went to (an edition's failed deliveries): staff given the
    deliveries, who see the subscribers too; not editors, who see the numbers."""
    return is_staff(user) and user.has_perm("newsletter.view_delivery")


def can_read_edition(user, edition: Edition) -> bool:
    """Public editions for everyone; members-only ones for members (of the newsletter's
    type, when it is written for one), editors and staff."""
    if edition.archive_access != Edition.ArchiveAccess.MEMBERS:
        return True
    return can_read_for_member_type(user, AccessLevel.MEMBERS, edition.newsletter.restricted_to)


def _way_in(user) -> EditionRefusal:
    if user is None or not user.is_authenticated:
        return EditionRefusal.SIGN_IN
    if is_member(user):
        return EditionRefusal.OTHER_TYPE
    if is_lapsed(user):
        return EditionRefusal.RENEW
    return EditionRefusal.JOIN


def edition_refusal(user, edition: Edition) -> EditionRefusal | None:
    """Why `user` may not read `edition`, or None when they may."""
    if can_read_edition(user, edition):
        return None
    return _way_in(user)


def edition_refusals(user, editions) -> dict[int, EditionRefusal]:
    """For a list of editions: the refusal of each one `user` may not read, by pk. The way
    in depends on the person alone, so it is worked out once for the whole list."""
    closed = [edition.pk for edition in editions if not can_read_edition(user, edition)]
    if not closed:
        return {}
    way_in = _way_in(user)
    return dict.fromkeys(closed, way_in)


def may_name_thread(edition: Edition, thread) -> bool:
    """May `edition` feature `thread` (its title and room) in its forum highlights?

    A room open to every member type may be named to anyone: the title comes with a
    link that asks non-members to join. A room kept to some member types may be named
    only where all who read the edition may read the room: a newsletter for one of those
    types, whose archive is for members only."""
    category = thread.category
    if not forum_access.is_kept_to_some_member_types(category):
        return True
    return (
        edition.archive_access == Edition.ArchiveAccess.MEMBERS
        and edition.newsletter.restricted_to in forum_access.member_types_reading(category)
    )


def thread_too_private_text(thread) -> str:
    """Why a thread cannot be featured, and what the editor may do, in their words."""
    readers = sorted(forum_access.member_types_reading(thread.category))
    names = " and ".join(AUDIENCE_LABELS[type_].lower() for type_ in readers) or "staff"
    return (
        f"“{thread.title}” is in {thread.category.name}, which only {names} may read. Take "
        "it out of the forum highlights, or feature it only in a newsletter for them with "
        "its web archive for members only."
    )


def threads_too_private(edition: Edition) -> list:
    """The threads of the edition's forum highlights that it may not name (see
    `may_name_thread`)."""
    sections = edition.sections.filter(kind=Section.Kind.FORUM).prefetch_related(
        "threads__category"
    )
    return [
        thread
        for section in sections
        for thread in section.threads.all()
        if not may_name_thread(edition, thread)
    ]
