"""Who may read a library resource: the library's reading rules.

Built on members/access/, which alone decides who is a member and what each content
level (AccessLevel) opens. Here only what is particular to the library: a signed-in
non-member may open a members-only resource with one of their monthly free reads
(settings.LIBRARY_FREE_READS_PER_MONTH). The free reads themselves are counted by
practice_library/services.py; these functions only decide.

    can_read(user, obj)            -> bool: its access level
    can_read_resource(user, resource, *, free_reads_left, already_read_this_month)
                                   -> bool: its access level, else a free read
    uses_free_read(user, resource) -> bool: would reading it spend a free read?
    readable_levels(user)          -> list[str]: the access levels `user` reads in full
                                   (for listings that offer only what opens)
"""

from members import access
from members.access import AccessLevel


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_read(user, obj) -> bool:
    """May `user` read `obj`? `obj` carries an `access_level` (an AccessLevel value)."""
    return access.can_read_level(user, getattr(obj, "access_level", AccessLevel.MEMBERS))


def can_read_resource(
    user, resource, *, free_reads_left: int, already_read_this_month: bool = False
) -> bool:
    """May `user` read the full text and files of a library resource?

    Everyone who may read its access level may. Beyond that, a signed-in non-member may
    open a members-only resource with one of their monthly free reads: when they have
    one left, or when they already opened this resource this month (it counts once).
    """
    if can_read(user, resource):
        return True
    if resource.access_level != AccessLevel.MEMBERS:
        return False
    if not _signed_in(user):
        return False
    return already_read_this_month or free_reads_left > 0


def uses_free_read(user, resource) -> bool:
    """Would reading `resource` spend one of the person's monthly free reads?"""
    if can_read(user, resource):
        return False
    return resource.access_level == AccessLevel.MEMBERS and _signed_in(user)


def readable_levels(user) -> list[str]:
    """The access levels whose resources `user` may read in full (free reads aside)."""
    return [level for level in AccessLevel.values if access.can_read_level(user, level)]
