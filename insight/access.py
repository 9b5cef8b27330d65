"""Who sees insight's pages, built on members.access: staff who may see memberships and
billing see everything; an organisation's admins see their own organisation's use, and
nobody else's.

Editors are staff too (they reach the admin for the library and the newsletter), but the
dashboard shows revenue, overdue invoices naming who owes them and every organisation's
seats: it asks for the permission to see subscriptions, which editors are not given.
"""

from members import access
from members.models import Organisation

BILLING_PERMISSION = "members.view_subscription"


def can_see_dashboard(user) -> bool:
    return access.is_staff(user) and user.has_perm(BILLING_PERMISSION)


def can_see_organisation_use(user, organisation: Organisation) -> bool:
    return can_see_dashboard(user) or access.is_org_admin(user, organisation)
