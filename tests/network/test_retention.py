"""The nightly retention task removes exactly what is past its stated period."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from forum.models import Notification, NotificationKind
from members.models import DataRequest, Invitation, StripeEvent
from network import data_rights
from network.models import ContactMessage
from network.tasks import personal_data_retention_enforce
from newsletter.models import Delivery, Subscriber
from practice_library.models import RecentRead
from tests.forum.factories import thread_with_posts
from tests.members.factories import InvitationFactory, SeatFactory, UserFactory
from tests.newsletter.factories import EditionFactory, SubscriberFactory
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _contact_message(age: timedelta) -> ContactMessage:
    with time_machine.travel(timezone.now() - age, tick=False):
        return ContactMessage.objects.create(
            name="Amira", email="amira@example.org", subject="Hello", message="A question."
        )


def test_contact_messages_older_than_two_years_are_deleted_and_newer_ones_kept():
    old = _contact_message(2 * 365 * DAY + DAY)
    recent = _contact_message(2 * 365 * DAY - DAY)
    data_rights.retention_enforce()
    assert not ContactMessage.objects.filter(pk=old.pk).exists()
    assert ContactMessage.objects.filter(pk=recent.pk).exists()


def test_rows_are_deleted_in_batches_until_none_is_left():
    for _ in range(5):
        _contact_message(3 * 365 * DAY)
    changed = data_rights.retention_enforce(batch_size=2)
    assert changed["network.ContactMessage.received_at"] == 5
    assert not ContactMessage.objects.exists()


def test_old_forum_notifications_go():
    post = thread_with_posts(posts=1).posts.get()
    user = UserFactory()
    old = Notification.objects.create(
        recipient=user,
        kind=NotificationKind.REPLY,
        thread=post.thread,
        post=post,
        created_at=timezone.now() - 181 * DAY,
    )
    data_rights.retention_enforce()
    assert not Notification.objects.filter(pk=old.pk).exists()


def test_sign_in_sessions_unused_for_ninety_days_go():
    user = UserFactory()
    UserSession.objects.create(
        user=user,
        ip="192.0.2.1",
        session_key="old",
        user_agent="Firefox",
        last_seen_at=timezone.now() - 91 * DAY,
    )
    UserSession.objects.create(
        user=user,
        ip="192.0.2.2",
        session_key="recent",
        user_agent="Firefox",
        last_seen_at=timezone.now() - 89 * DAY,
    )
    data_rights.retention_enforce()
    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["recent"]


def test_only_unconfirmed_sign_ups_expire(settings):
    old = timezone.now() - (settings.NEWSLETTER_CONFIRM_DAYS + 1) * DAY
    with time_machine.travel(old, tick=False):
        pending = SubscriberFactory(state=Subscriber.State.PENDING)
        confirmed = SubscriberFactory(state=Subscriber.State.SUBSCRIBED, confirmed_at=old)
    data_rights.retention_enforce()
    assert not Subscriber.objects.filter(pk=pending.pk).exists()
    assert Subscriber.objects.filter(pk=confirmed.pk).exists()


def test_expired_invitations_go_but_accepted_ones_stay(settings):
    old = timezone.now() - (settings.ORGANISATION_INVITATION_DAYS + 31) * DAY
    expired = InvitationFactory(sent_at=old)
    accepted = InvitationFactory(sent_at=old, accepted_at=old + DAY)
    fresh = InvitationFactory()
    data_rights.retention_enforce()
    assert set(Invitation.objects.values_list("pk", flat=True)) == {accepted.pk, fresh.pk}
    assert not Invitation.objects.filter(pk=expired.pk).exists()


def test_newsletter_deliveries_go_a_year_after_sending():
    subscriber = SubscriberFactory()
    edition = EditionFactory()
    old = Delivery.objects.create(
        edition=edition,
        subscriber=subscriber,
        email=subscriber.email,
        sent_at=timezone.now() - 366 * DAY,
    )
    unsent = Delivery.objects.create(
        edition=EditionFactory(), subscriber=subscriber, email=subscriber.email
    )
    data_rights.retention_enforce()
    assert not Delivery.objects.filter(pk=old.pk).exists()
    assert Delivery.objects.filter(pk=unsent.pk).exists()


def test_recent_reads_go_after_a_year():
    user = UserFactory()
    old = RecentRead.objects.create(
        user=user, resource=ResourceFactory(), read_at=timezone.now() - 366 * DAY
    )
    kept = RecentRead.objects.create(user=user, resource=ResourceFactory())
    data_rights.retention_enforce()
    assert list(RecentRead.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not RecentRead.objects.filter(pk=old.pk).exists()


def test_stripe_event_payloads_go_after_ninety_days():
    with time_machine.travel(timezone.now() - 91 * DAY, tick=False):
        old = StripeEvent.objects.create(
            stripe_event_id="evt_old", event_type="invoice.paid", payload={"name": "Dana"}
        )
    data_rights.retention_enforce()
    assert not StripeEvent.objects.filter(pk=old.pk).exists()


def test_expired_downloads_are_deleted_from_storage_and_the_request_stays():
    storage = storages["default"]
    name = storage.save("data-exports/expired.zip", ContentFile(b"zip"))
    data_request = DataRequest.objects.create(
        user=UserFactory(),
        kind=DataRequest.Kind.ACCESS,
        state=DataRequest.State.DONE,
        export_file=name,
        export_expires_at=timezone.now() - DAY,
    )
    data_rights.retention_enforce()
    assert not storage.exists(name)
    data_request.refresh_from_db()
    assert data_request.export_file == ""


def test_closed_requests_leave_the_log_after_two_years():
    old = DataRequest.objects.create(
        user=UserFactory(),
        kind=DataRequest.Kind.ACCESS,
        state=DataRequest.State.DONE,
        closed_at=timezone.now() - 2 * 365 * DAY - DAY,
    )
    open_request = DataRequest.objects.create(user=UserFactory(), kind=DataRequest.Kind.ACCESS)
    data_rights.retention_enforce()
    assert list(DataRequest.objects.values_list("pk", flat=True)) == [open_request.pk]
    assert not DataRequest.objects.filter(pk=old.pk).exists()


def test_the_beat_task_enforces_every_rule():
    _contact_message(3 * 365 * DAY)
    changed = personal_data_retention_enforce.delay().get()
    assert changed["network.ContactMessage.received_at"] == 1


def test_accounts_closed_a_year_ago_are_erased_and_open_ones_kept():
    closed = UserFactory(is_active=False, last_login=timezone.now() - 366 * DAY)
    recently_closed = UserFactory(is_active=False, last_login=timezone.now() - 300 * DAY)
    active = UserFactory(last_login=timezone.now() - 800 * DAY)
    data_rights.retention_enforce()
    for user in (closed, recently_closed, active):
        user.refresh_from_db()
    assert closed.is_erased
    assert not recently_closed.is_erased and not active.is_erased


def test_accounts_closed_before_anyone_signed_in_are_erased_a_year_after_they_were_made():
    closed = UserFactory(is_active=False, last_login=None, date_joined=timezone.now() - 366 * DAY)
    new_and_closed = UserFactory(
        is_active=False, last_login=None, date_joined=timezone.now() - 300 * DAY
    )
    data_rights.retention_enforce()
    closed.refresh_from_db()
    new_and_closed.refresh_from_db()
    assert closed.is_erased
    assert not new_and_closed.is_erased


def _sign_up(age: timedelta, *, verified: bool = False, **fields):
    with time_machine.travel(timezone.now() - age, tick=False):
        return UserFactory(last_login=None, verified=verified, **fields)


def test_sign_ups_never_confirmed_are_erased_a_month_after_they_were_made():
    forgotten = _sign_up(31 * DAY, name="Amira Okoye")
    recent = _sign_up(20 * DAY)

    data_rights.retention_enforce()

    forgotten.refresh_from_db()
    recent.refresh_from_db()
    assert forgotten.is_erased and forgotten.name != "Amira Okoye"
    assert not recent.is_erased


def test_a_confirmed_address_keeps_an_account_never_signed_in_to():
    confirmed = _sign_up(400 * DAY, verified=True)

    data_rights.retention_enforce()

    confirmed.refresh_from_db()
    assert not confirmed.is_erased


def test_an_account_staff_gave_a_seat_or_role_is_kept_though_never_confirmed():
    seated = _sign_up(400 * DAY)
    SeatFactory(user=seated)
    moderator = _sign_up(400 * DAY)
    moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    staff = _sign_up(400 * DAY, is_staff=True)

    data_rights.retention_enforce()

    for user in (seated, moderator, staff):
        user.refresh_from_db()
        assert not user.is_erased


def test_subscriptions_ended_six_years_ago_go_with_their_invoices():
    from members.models import Invoice, Subscription
    from tests.members.factories import InvoiceFactory, SubscriptionFactory

    old = SubscriptionFactory(status="canceled", ended_at=timezone.now() - 6 * 365 * DAY - DAY)
    InvoiceFactory(subscription=old)
    kept = SubscriptionFactory(status="canceled", ended_at=timezone.now() - 5 * 365 * DAY)
    data_rights.retention_enforce()
    assert list(Subscription.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Invoice.objects.filter(subscription_id=old.pk).exists()


def test_invoices_are_kept_six_calendar_years_though_leap_days_fall_between():
    from members.models import Invoice
    from tests.members.factories import InvoiceFactory

    # Six years back from 6 December 2026 holds 29 February 2024: 2,191 days, one more
    # than six 365-day years.
    with time_machine.travel("2020-12-06 12:00Z", tick=False):
        six_years_old_tonight = InvoiceFactory()
    with time_machine.travel("2020-12-05 12:00Z", tick=False):
        older = InvoiceFactory()

    with time_machine.travel("2026-12-06 06:00Z", tick=False):
        data_rights.retention_enforce()

    assert list(Invoice.objects.values_list("pk", flat=True)) == [six_years_old_tonight.pk]
    assert not Invoice.objects.filter(pk=older.pk).exists()


def test_a_period_in_years_ends_on_the_28th_after_a_29_february():
    moment = datetime(2028, 2, 29, 9, 0, tzinfo=UTC)

    assert data_rights.years_before(moment, 6) == datetime(2022, 2, 28, 9, 0, tzinfo=UTC)


def test_needs_given_for_an_event_are_cleared_a_month_after_it_and_the_place_stays():
    from events.models import Registration
    from tests.events.factories import EventFactory

    ended = timezone.now() - 31 * DAY
    past_event = EventFactory(starts_at=ended - timedelta(hours=2), ends_at=ended)
    recent = timezone.now() - 29 * DAY
    recent_event = EventFactory(starts_at=recent - timedelta(hours=2), ends_at=recent)
    person = UserFactory()
    old_place = Registration.objects.create(
        event=past_event, user=person, status="confirmed", place=1, needs="Step-free access"
    )
    recent_place = Registration.objects.create(
        event=recent_event, user=person, status="confirmed", place=1, needs="Vegetarian"
    )

    data_rights.retention_enforce()

    old_place.refresh_from_db()
    recent_place.refresh_from_db()
    assert (old_place.needs, old_place.status) == ("", "confirmed")
    assert recent_place.needs == "Vegetarian"


def test_a_closed_account_that_cannot_be_erased_yet_is_tried_again_and_the_other_rules_still_run():
    # A closed account still the only admin of its organisation cannot be erased (someone
    # must manage the seats first); that must not stop the night's other deletions.
    from tests.members.factories import organisation_with_seats

    only_admin = UserFactory(is_active=False, last_login=timezone.now() - 366 * DAY)
    organisation_with_seats(admin=only_admin)
    closed = UserFactory(is_active=False, last_login=timezone.now() - 400 * DAY)

    for _night in range(2):
        old_message = _contact_message(3 * 365 * DAY)
        data_rights.retention_enforce()
        assert not ContactMessage.objects.filter(pk=old_message.pk).exists()

    only_admin.refresh_from_db()
    closed.refresh_from_db()
    assert not only_admin.is_erased
    assert closed.is_erased
    assert DataRequest.objects.filter(user=only_admin, kind=DataRequest.Kind.ERASURE).count() == 1
