"""The members app's admin, split by concept; importing the modules registers them."""

from members.admin import billing, data_rights, grants, organisations, people  # noqa: F401
