"""Organisation memberships: seats and verified domains (seats.py), invitations
(invitations.py), and the organisation admin's pages, forms, URLs and tasks."""
