"""Erasing an account: what goes, what stays as a pseudonymous record, and the grace period."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from forum.models import ModerationAction, ModerationActionKind, Post, Report, Suspension
from forum.moderation.suspensions import member_suspend
from forum.personal_data import REMOVED_TEXT
from members import data_rights
from members.models import (
    DataRequest,
    InvoiceRequest,
    Seat,
    Subscription,
    SubscriptionStatus,
    User,
)
from newsletter.models import Subscriber
from tests.forum.factories import reported_item, thread_with_posts
from tests.members.factories import (
    PASSWORD,
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


def erase_now(user, *, keep_post_text=True) -> User:
    data_request = data_rights.account_deletion_request(user=user, keep_post_text=keep_post_text)
    data_rights.account_erase(data_request=data_request)
    user.refresh_from_db()
    return user


def test_erased_account_keeps_no_personal_data_and_is_named_by_a_pseudonym():
    user = UserFactory(name="Priya Shah", email="priya@example.org", job_title="Manager")
    erase_now(user)
    assert user.is_erased
    assert str(user) == f"Former member #{user.pk}"
    assert user.name == user.job_title == user.organisation_name == ""
    assert "priya" not in user.email
    assert not user.is_active
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()


def test_a_person_with_a_personal_subscription_can_be_erased_and_the_billing_record_stays():
    subscription = SubscriptionFactory()
    user = erase_now(subscription.user)
    subscription.refresh_from_db()
    assert subscription.user == user
    assert subscription.status == SubscriptionStatus.CANCELED
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_reports_they_made_stay_under_their_pseudonym():
    item = reported_item(details="The post names a child at the home.")
    report = item.reports.get()
    reporter = erase_now(report.reporter)
    report.refresh_from_db()
    assert report.reporter_id == reporter.pk
    assert str(report.reporter) == f"Former member #{reporter.pk}"
    assert report.details == "The post names a child at the home."


def test_suspensions_and_the_moderation_log_stay_under_their_pseudonym(moderator):
    member = UserFactory(name="Sam Jones")
    member_suspend(actor=moderator, member=member, until=None, reason="Named a child.")
    erase_now(member)
    suspension = Suspension.objects.get(member=member)
    assert suspension.reason == "Named a child."
    entry = ModerationAction.objects.get(action=ModerationActionKind.SUSPEND)
    assert entry.member_id == member.pk
    assert "Sam Jones" not in entry.target_label
    assert f"Former member #{member.pk}" in entry.target_label


def test_a_moderators_name_leaves_the_log_but_their_actions_stay(moderator):
    member = UserFactory()
    member_suspend(actor=moderator, member=member, until=None, reason="Abusive.")
    name = moderator.name
    erase_now(moderator)
    entry = ModerationAction.objects.get(action=ModerationActionKind.SUSPEND)
    assert entry.actor_id == moderator.pk
    assert entry.actor_label == f"Former member #{moderator.pk}"
    assert name not in entry.actor_label


def test_posts_stay_as_a_former_members_with_their_text_when_they_chose_to_keep_it():
    user = UserFactory()
    thread = thread_with_posts(posts=2, author=user)
    erase_now(user, keep_post_text=True)
    posts = Post.objects.filter(thread=thread)
    assert [p.author_id for p in posts] == [None, None]
    assert all(p.body.startswith("Post ") for p in posts)
    thread.refresh_from_db()
    assert thread.author_id is None


def test_posts_lose_their_text_when_they_chose_to_remove_it():
    user = UserFactory()
    other = UserFactory()
    thread = thread_with_posts(posts=3, authors=[user, other])
    erase_now(user, keep_post_text=False)
    bodies = dict(Post.objects.filter(thread=thread).values_list("post_number", "body"))
    assert bodies[1] == bodies[3] == REMOVED_TEXT
    assert bodies[2].startswith("Post 2")


def test_the_organisation_billed_for_their_personal_plan_no_longer_carries_them():
    user = UserFactory(name="Dana Whitfield")
    billed = OrganisationFactory(
        name="Dana Whitfield", billing_email="dana@home.example.org", billing_address="12 Elm Road"
    )
    InvoiceRequest.objects.create(requested_by=user, plan=PlanFactory(), organisation=billed)
    employer, _ = organisation_with_seats(name="Brookside Homes Ltd")

    erase_now(user)

    billed.refresh_from_db()
    employer.refresh_from_db()
    assert "Dana" not in billed.name + billed.slug
    assert billed.billing_email == billed.billing_address == ""
    assert employer.name == "Brookside Homes Ltd"


def test_their_seat_is_freed():
    organisation, admin = organisation_with_seats(seats=3)
    seat = SeatFactory(organisation=organisation)
    erase_now(seat.user)
    assert not Seat.objects.filter(pk=seat.pk).exists()


def test_the_last_admin_of_an_organisation_must_hand_over_first():
    organisation, admin = organisation_with_seats(seats=3)
    with pytest.raises(ValidationError, match="only admin"):
        data_rights.account_deletion_request(user=admin, keep_post_text=True)


def test_their_newsletter_subscriber_record_is_erased():
    user = UserFactory()
    Subscriber.objects.create(email=user.email, user=user, state=Subscriber.State.SUBSCRIBED)
    erase_now(user)
    assert not Subscriber.objects.exists()


def test_mentions_of_them_no_longer_resolve():
    from forum.notifications import mentioned_names

    user = UserFactory(name="Alex Moore")
    erase_now(user)
    names = mentioned_names("Thanks @Alex-Moore")
    assert not User.objects.filter(name__iexact=names[0]).exists()


def test_nothing_of_anyone_else_is_erased():
    user, other = UserFactory(), UserFactory()
    thread = thread_with_posts(posts=2, authors=[user, other])
    erase_now(user)
    other.refresh_from_db()
    assert not other.is_erased
    assert Post.objects.get(thread=thread, post_number=2).author == other


def test_deletion_waits_for_the_grace_period():
    user = UserFactory()
    data_rights.account_deletion_request(user=user, keep_post_text=True)
    assert data_rights.account_deletions_complete() == 0
    user.refresh_from_db()
    assert not user.is_erased


def test_deletion_happens_after_the_grace_period():
    user = UserFactory()
    data_rights.account_deletion_request(user=user, keep_post_text=True)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert data_rights.account_deletions_complete() == 1
    user.refresh_from_db()
    assert user.is_erased
    assert DataRequest.objects.get(user=user).state == DataRequest.State.DONE


def test_signing_in_during_the_grace_period_cancels_the_deletion(client):
    user = UserFactory()
    data_request = data_rights.account_deletion_request(user=user, keep_post_text=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    data_request.refresh_from_db()
    assert data_request.state == DataRequest.State.CANCELLED
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert data_rights.account_deletions_complete() == 0


def test_an_erasure_cancelled_by_signing_in_erases_no_one_when_run_later(client):
    user = UserFactory()
    data_request = data_rights.account_deletion_request(user=user, keep_post_text=True)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    with pytest.raises(ValidationError):
        data_rights.account_erase(data_request=data_request)

    user.refresh_from_db()
    data_request.refresh_from_db()
    assert not user.is_erased
    assert data_request.state == DataRequest.State.CANCELLED


def test_report_stays_when_the_reported_posts_author_is_erased():
    item = reported_item()
    author = item.post.author
    erase_now(author)
    assert Report.objects.filter(review_item=item).exists()


def test_a_download_of_their_data_is_deleted_with_them():
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    user = UserFactory()
    name = storages["default"].save("data-exports/theirs.zip", ContentFile(b"zip"))
    DataRequest.objects.create(
        user=user,
        kind=DataRequest.Kind.ACCESS,
        state=DataRequest.State.DONE,
        export_file=name,
        export_expires_at=timezone.now() + timedelta(hours=1),
    )
    erase_now(user)
    assert not storages["default"].exists(name)


def test_a_staff_members_own_erasure_takes_their_admin_rights():
    staff = UserFactory(is_staff=True, is_superuser=True)
    erase_now(staff)
    assert not staff.is_staff and not staff.is_superuser
    assert not staff.groups.exists()


def test_their_place_at_an_event_goes_to_the_first_on_the_waiting_list():
    from events.models import Registration, RegistrationStatus
    from events.services import registration_create
    from tests.events.factories import EventFactory

    event = EventFactory(capacity=1)
    first, waiting = UserFactory(), UserFactory()
    registration_create(event=event, user=first)
    registration_create(event=event, user=waiting)
    assert Registration.objects.get(user=waiting).status == RegistrationStatus.WAITING
    erase_now(first)
    mine = Registration.objects.get(user=first)
    assert mine.status == RegistrationStatus.CANCELLED
    assert mine.name == ""
    assert Registration.objects.get(user=waiting).status != RegistrationStatus.WAITING


def test_their_library_bookmarks_and_reads_are_erased():
    from practice_library.models import Bookmark, RecentRead
    from tests.practice_library.factories import ResourceFactory

    user, other = UserFactory(), UserFactory()
    resource = ResourceFactory()
    for person in (user, other):
        Bookmark.objects.create(user=person, resource=resource)
        RecentRead.objects.create(user=person, resource=resource)
    erase_now(user)
    assert list(Bookmark.objects.values_list("user", flat=True)) == [other.pk]
    assert list(RecentRead.objects.values_list("user", flat=True)) == [other.pk]


def test_newsletter_deliveries_to_their_address_are_erased():
    from newsletter.models import Delivery
    from tests.newsletter.factories import EditionFactory

    user = UserFactory()
    subscriber = Subscriber.objects.create(
        email=user.email, user=user, state=Subscriber.State.SUBSCRIBED
    )
    Delivery.objects.create(edition=EditionFactory(), subscriber=subscriber, email=user.email)
    erase_now(user)
    assert not Delivery.objects.filter(email=user.email).exists()


def test_the_person_is_emailed_when_their_account_will_be_deleted(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        data_rights.account_deletion_request(user=user, keep_post_text=True)
    assert mail.outbox[-1].to == [user.email]
    assert "Sign in before then" in mail.outbox[-1].body


def test_the_deletion_email_goes_once_however_often_its_task_runs(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    from members import tasks

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        data_request = data_rights.account_deletion_request(user=user, keep_post_text=True)

    tasks.account_deletion_notify(data_request.pk)

    assert len([m for m in mail.outbox if m.to == [user.email]]) == 1


def test_files_attached_to_their_posts_go_when_they_remove_the_text():
    from django.core.files.base import ContentFile

    from forum.models import PostAttachment

    user = UserFactory()
    post = thread_with_posts(posts=1, author=user).posts.get()
    attachment = PostAttachment(
        post=post,
        original_filename="rota.pdf",
        content_type="application/pdf",
        extension="pdf",
        size_bytes=3,
    )
    attachment.file.save("rota.pdf", ContentFile(b"pdf"), save=False)
    attachment.save()
    storage, name = attachment.file.storage, attachment.file.name
    erase_now(user, keep_post_text=False)
    assert not PostAttachment.objects.exists()
    assert not storage.exists(name)


def test_the_thread_page_shows_their_post_as_a_former_members(client, member):
    user = UserFactory(name="Priya Shah")
    thread = thread_with_posts(posts=1, author=user)
    erase_now(user)
    client.force_login(member)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "A former member" in page
    assert "Priya Shah" not in page


def test_the_admin_history_names_them_by_their_pseudonym(staff_client):
    from django.contrib.admin.models import LogEntry

    user = UserFactory(name="Priya Shah", email="priya@example.org")
    staff_client.post(
        reverse("admin:members_datarequest_add"),
        {
            "user": user.pk,
            "kind": DataRequest.Kind.ACCESS,
            "source": DataRequest.Source.EMAIL,
            "received_at_0": timezone.now().strftime("%Y-%m-%d"),
            "received_at_1": timezone.now().strftime("%H:%M:%S"),
            "keep_post_text": "on",
            "outcome": "",
        },
    )
    assert LogEntry.objects.filter(object_repr__contains="Priya Shah").exists()

    erase_now(user)

    reprs = list(LogEntry.objects.values_list("object_repr", flat=True))
    assert reprs and not any("Priya" in text or "priya@" in text for text in reprs)
    assert f"Former member #{user.pk}" in reprs[0]


def test_the_forum_index_names_their_last_post_as_a_former_members(client, member):
    from forum.models import Category

    user = UserFactory(name="Priya Shah")
    thread = thread_with_posts(posts=1, author=user)
    Category.objects.filter(pk=thread.category_id).update(
        last_thread=thread, last_post_author=user, last_post_at=timezone.now()
    )
    erase_now(user)

    client.force_login(member)
    page = client.get(reverse("forum:index")).content.decode()

    assert "by a former member" in page
    assert "Former member #" not in page and "Priya" not in page


def test_an_erased_moderator_of_a_category_moderates_it_no_more():
    user = UserFactory(name="Priya Shah")
    thread = thread_with_posts(posts=1)
    thread.category.moderators.add(user)

    erase_now(user)

    assert not thread.category.moderators.exists()
