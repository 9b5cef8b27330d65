"""What a person says about themselves, saved from their profile page."""

from django.db import transaction
from django.dispatch import Signal

from members.models import User

# Sent inside the saving transaction with `user` and `changed` (the field names that
# changed). An app that copied the name or organisation into rows of its own (an event's
# list of who is coming) follows it from here: members imports no other app.
profile_changed = Signal()


def profile_save(*, form) -> User:
    """Save a bound, valid ProfileForm and tell the apps that copied it."""
    with transaction.atomic():
        user = form.save()
        if form.changed_data:
            profile_changed.send(sender=User, user=user, changed=set(form.changed_data))
    return user
