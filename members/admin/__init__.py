"""The members app's admin, split by concept; importing the modules registers them."""

from members.admin import (  # noqa: F401
    billing,
    data_rights,
    grants,
    organisation_changes,
    organisations,
    people,
    seats,
    sessions,
    two_factor,
)
