"""Paying for a membership: Stripe behind gateway.py (the only module that calls
Stripe), webhook events applied by sync.py, reminder emails in notices.py (and the
membership team's in staff_notices.py), the services behind the billing pages, their
views, forms, URLs and tasks."""
