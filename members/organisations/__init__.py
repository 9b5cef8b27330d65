"""Organisation memberships: seats and verified domains (seats.py), invitations
(invitations.py), and the organisation admin's pages, forms, URLs and tasks."""

from django.urls import reverse

from network.mail import site_url


def organisation_admin_url(organisation_id: int) -> str:
    """The organisation's page in the admin, as a full address for staff emails."""
    return site_url(reverse("admin:members_organisation_change", args=[organisation_id]))
