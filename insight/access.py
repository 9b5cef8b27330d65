"""Who sees insight's pages, built on members.access: staff see everything; an
organisation's admins see their own organisation's use, and nobody else's."""

from members import access
from members.models import Organisation


def can_see_dashboard(user) -> bool:
    return access.is_staff(user)


def can_see_organisation_use(user, organisation: Organisation) -> bool:
    return access.is_staff(user) or access.is_org_admin(user, organisation)
