from django.db import transaction

from network.models import ContactMessage


def contact_message_submit(*, name: str, email: str, subject: str, message: str) -> ContactMessage:
    """Store a contact message and, once it is committed, email it to staff."""
    from network.tasks import contact_message_notify_staff

    with transaction.atomic(durable=True):
        contact_message = ContactMessage(name=name, email=email, subject=subject, message=message)
        contact_message.full_clean()
        contact_message.save()
        contact_message_notify_staff.delay_on_commit(contact_message.pk)
    return contact_message
