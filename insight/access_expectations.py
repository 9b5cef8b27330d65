"""What each role gets from insight's URLs (the project-wide access-matrix test; format
in members/access_matrix.py).

The dashboard lives under /admin/: like every admin page it sends anyone who is not
staff to sign in (302); staff without two-factor never get this far
(members/middleware.py). An organisation's engagement
report opens for that organisation's admins and for staff; for everyone else the
organisation looks like no organisation (404), including admins of another one.
"""

from members.models import Organisation, Seat

# Editors are staff (is_staff) too, but without the billing permission the reports ask
# for (insight/access.py): to them every organisation's report looks like none.
_OWN = {"anonymous": 302, "org_admin": 200, "staff": 200, "*": 404}
_OTHER = {"anonymous": 302, "staff": 200, "*": 404}
# In the admin: others are sent to sign in; editors, without the billing permission, see
# no dashboard.
_STAFF_IN_ADMIN = {"staff": 200, "editor": 404, "*": 302}

EXPECTED: dict[str, dict[str, int]] = {
    "insight_admin:dashboard": _STAFF_IN_ADMIN,
    "insight_admin:dashboard_csv": _STAFF_IN_ADMIN,
    "insight_admin:organisation": _STAFF_IN_ADMIN,
    "insight:organisation[own]": _OWN,
    "insight:organisation[other]": _OTHER,
    "insight:organisation_csv[own]": _OWN,
    "insight:organisation_csv[other]": _OTHER,
}


def url_kwargs(people: dict) -> dict[str, dict]:
    own = Seat.objects.filter(user=people["org_admin"], is_admin=True).first().organisation
    other = Organisation.objects.create(name="Elsewhere Care Ltd", slug="elsewhere-care-insight")
    return {
        "insight_admin:dashboard_csv": {"slug": "mrr"},
        "insight_admin:organisation": {"slug": own.slug},
        "insight:organisation[own]": {"slug": own.slug},
        "insight:organisation[other]": {"slug": other.slug},
        "insight:organisation_csv[own]": {"slug": own.slug, "table": "use"},
        "insight:organisation_csv[other]": {"slug": other.slug, "table": "use"},
    }
