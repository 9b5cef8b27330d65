import smtplib
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail
from django.urls import reverse

from network.models import ContactMessage
from network.tasks import contact_message_notify_staff
from tests.redelivery import deliver_again_while_sending

VALID = {
    "name": "Jo Whitfield",
    "email": "jo@harbour.example.org",
    "subject": "Invoice for our council",
    "message": "Can we pay by invoice against a PO number?",
    "website": "",
}


@pytest.mark.django_db
def test_contact_message_is_stored_and_emailed_to_staff(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contact"), VALID, follow=True)

    assert b"Your message has been sent" in response.content
    stored = ContactMessage.objects.get()
    assert stored.subject == VALID["subject"]
    assert stored.handled is False
    assert stored.notified_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == settings.STAFF_NOTIFICATION_EMAILS
    assert mail.outbox[0].reply_to == [VALID["email"]]
    assert VALID["message"] in mail.outbox[0].body


@pytest.mark.django_db
def test_contact_email_is_sent_only_after_the_message_is_committed(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("contact"), VALID)

    assert len(mail.outbox) == 0
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_contact_form_with_errors_keeps_what_was_typed(client):
    data = {**VALID, "email": "not-an-email", "message": "x" * 3001}

    response = client.post(reverse("contact"), data)

    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text
    assert "Enter an email address in the correct format" in text
    assert "Message must be 3000 characters or fewer (it has 3001)" in text
    assert 'value="Jo Whitfield"' in text
    assert 'value="Invoice for our council"' in text
    assert "x" * 3001 in text
    assert ContactMessage.objects.count() == 0


@pytest.mark.django_db
def test_contact_form_refuses_an_email_address_too_long_to_store(client):
    data = {**VALID, "email": "x" * 300 + "@harbour.example.org"}

    response = client.post(reverse("contact"), data)

    assert response.status_code == 400
    assert "Email address must be 254 characters or fewer (it has 320)" in response.text
    assert ContactMessage.objects.count() == 0


@pytest.mark.django_db
def test_contact_form_requires_every_field(client):
    response = client.post(reverse("contact"), {})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "email", "subject", "message"}


@pytest.mark.django_db
def test_empty_contact_form_says_what_each_field_needs(client):
    errors = client.post(reverse("contact"), {}).context["form"].errors

    assert errors["name"] == ["Enter your name"]
    assert errors["email"] == ["Enter your email address"]
    assert errors["subject"] == ["Enter a subject"]
    assert errors["message"] == ["Enter your message"]


@pytest.mark.django_db
def test_contact_form_filled_in_by_a_bot_stores_nothing(client):
    response = client.post(reverse("contact"), {**VALID, "website": "http://spam.example"})

    assert response.status_code == 302
    assert ContactMessage.objects.count() == 0
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_contact_form_is_rate_limited_and_keeps_the_refused_message(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "contact": "2/h/ip"}
    for _ in range(2):
        assert client.post(reverse("contact"), VALID).status_code == 302

    response = client.post(reverse("contact"), {**VALID, "subject": "Third one"})

    assert response.status_code == 400
    assert "several messages in a short time" in response.content.decode()
    assert 'value="Third one"' in response.content.decode()
    assert ContactMessage.objects.count() == 2


@pytest.mark.django_db
def test_contact_page_shows_a_live_character_counter_for_the_message(client):
    response = client.get(reverse("contact"))

    assert b'data-counter-for="id_message"' in response.content
    assert b'data-max="3000"' in response.content


@pytest.mark.django_db
def test_failed_staff_email_is_recorded_and_retried():
    contact_message = ContactMessage.objects.create(
        **{k: v for k, v in VALID.items() if k != "website"}
    )

    with (
        mock.patch(
            "django.core.mail.EmailMultiAlternatives.send",
            side_effect=smtplib.SMTPServerDisconnected("connection lost"),
        ),
        pytest.raises(Retry),
    ):
        contact_message_notify_staff.apply(args=[contact_message.pk])

    contact_message.refresh_from_db()
    assert contact_message.notified_at is None
    assert "connection lost" in contact_message.notify_error
    assert contact_message.notify_attempts == 1


@pytest.mark.django_db
def test_staff_email_is_not_sent_twice_when_the_task_is_delivered_again():
    contact_message = ContactMessage.objects.create(
        **{k: v for k, v in VALID.items() if k != "website"}
    )

    contact_message_notify_staff.apply(args=[contact_message.pk])
    contact_message_notify_staff.apply(args=[contact_message.pk])

    assert len(mail.outbox) == 1


@pytest.mark.worker
def test_contact_message_is_emailed_by_a_real_celery_worker(client, celery_worker_process):
    import time

    client.post(reverse("contact"), VALID)

    def notified() -> bool:
        # The worker writes the email, then records it: wait for both.
        return bool(list(celery_worker_process.mail_dir.iterdir())) and (
            ContactMessage.objects.get().notified_at is not None
        )

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not notified():
        time.sleep(0.2)
    files = list(celery_worker_process.mail_dir.iterdir())
    assert files, "the worker sent no email"
    assert "Invoice for our council" in files[0].read_text()
    assert ContactMessage.objects.get().notified_at is not None


@pytest.mark.django_db
def test_contact_form_is_filled_in_with_a_signed_in_persons_name_and_email(client, registered):
    client.force_login(registered)

    response = client.get(reverse("contact"))

    assert f'value="{registered.email}"' in response.content.decode()
    assert f'value="{registered.name}"' in response.content.decode()


@pytest.mark.django_db
def test_a_subject_typed_over_two_lines_still_reaches_staff_on_one_line(
    client, django_capture_on_commit_callbacks
):
    data = {**VALID, "subject": "Invoice for our council\r\nBcc: someone@example.org"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contact"), data, follow=True)

    assert b"Your message has been sent" in response.content
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == (
        "Contact form: Invoice for our council Bcc: someone@example.org"
    )
    assert mail.outbox[0].bcc == []


@pytest.mark.django_db
def test_staff_email_goes_once_when_the_task_is_delivered_again_while_sending(monkeypatch):
    contact_message = ContactMessage.objects.create(
        **{k: v for k, v in VALID.items() if k != "website"}
    )
    deliver_again_while_sending(
        monkeypatch, lambda: contact_message_notify_staff.apply(args=[contact_message.pk])
    )

    contact_message_notify_staff.apply(args=[contact_message.pk])

    assert len(mail.outbox) == 1
    assert ContactMessage.objects.get().notified_at is not None
