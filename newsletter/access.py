"""Who may read which edition in the web archive, and, for those who may not, the way
in (sign in, join, renew, or the member type it is written for). Built on members.access,
which alone says who is a member and of which type."""

from django.db import models

from members.access import (
    AccessLevel,
    can_read_for_member_type,
    is_lapsed,
    is_member,
)
from newsletter.models import Edition


class EditionRefusal(models.TextChoices):
    """Why a members-only edition stays closed to someone, named for the way in."""

    SIGN_IN = "sign_in", "Members only: sign in to read it"
    JOIN = "join", "Members only: join to read it"
    RENEW = "renew", "Members only: renew to read it"
    OTHER_TYPE = "other_type", "For members of another type"


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
