"""The download holds every part of a person's data, and nothing of anyone else's."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.files.storage import storages

from events.models import Registration
from forum.models import EmailKind, ForumEmail, PostBookmark, Report
from members import data_rights
from members.models import (
    DataRequest,
    InvoiceRequest,
    OrganisationDetailsChange,
    Region,
    SeatRemoval,
)
from network.models import ContactMessage
from newsletter.models import Consent, Subscriber
from practice_library.models import Bookmark, RecentRead
from tests.events.factories import EventFactory
from tests.forum.factories import thread_with_posts
from tests.members.factories import (
    InvoiceFactory,
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db

PARTS = {
    "profile",
    "email_addresses",
    "memberships_granted",
    "seats",
    "seats_ended",
    "invitations",
    "subscriptions",
    "invoices",
    "requests_to_join",
    "organisation_details_changed",
    "sessions",
    "newsletter_subscription",
    "newsletter_consents",
    "forum_posts",
    "forum_post_revisions",
    "forum_reports",
    "forum_bookmarks",
    "library_bookmarks",
    "library_reads",
    "forum_notifications",
    "event_registrations",
    "contact_messages",
}


def _person_with_everything(name: str, email: str):
    user = UserFactory(name=name, email=email)
    SubscriptionFactory(user=user)
    SeatFactory(user=user)
    Subscriber.objects.create(email=email, user=user, state=Subscriber.State.SUBSCRIBED)
    thread = thread_with_posts(posts=2, author=user, title=f"Rotas at {name}'s home")
    other_post = thread_with_posts(posts=1).posts.get()
    Report.objects.create(
        post=other_post, reporter=user, reason="spam", details=f"{name} says spam"
    )
    PostBookmark.objects.create(user=user, post=thread.posts.first())
    resource = ResourceFactory()
    Bookmark.objects.create(user=user, resource=resource)
    RecentRead.objects.create(user=user, resource=resource)
    Registration.objects.create(
        event=EventFactory(),
        user=user,
        status="confirmed",
        place=1,
        name=name,
        needs=f"{name} needs",
    )
    ContactMessage.objects.create(name=name, email=email, subject="Hello", message=f"From {name}")
    return user


def _export(user) -> zipfile.ZipFile:
    data_request = DataRequest.objects.create(
        user=user, kind=DataRequest.Kind.ACCESS, state=DataRequest.State.PREPARING
    )
    data_rights.data_export_build(data_request=data_request)
    data_request.refresh_from_db()
    with storages["default"].open(data_request.export_file, "rb") as file:
        return zipfile.ZipFile(io.BytesIO(file.read()))


def test_the_download_holds_every_part_as_json_and_csv():
    user = _person_with_everything("Dana Whitfield", "dana@example.org")
    names = set(_export(user).namelist())
    for part in PARTS:
        assert f"{part}.json" in names, part
        assert f"{part}.csv" in names, part
    assert "index.html" in names


def test_the_download_holds_the_persons_rows():
    user = _person_with_everything("Dana Whitfield", "dana@example.org")
    archive = _export(user)
    posts = json.loads(archive.read("forum_posts.json"))
    assert len(posts) == 2
    assert (
        json.loads(archive.read("forum_reports.json"))[0]["details"] == "Dana Whitfield says spam"
    )
    assert (
        json.loads(archive.read("event_registrations.json"))[0]["needs"] == "Dana Whitfield needs"
    )
    assert "Dana Whitfield" in archive.read("profile.csv").decode("utf-8-sig")


def test_the_download_holds_their_requests_to_join_with_the_billing_details_they_gave():
    user = UserFactory(name="Dana Whitfield", email="dana@example.org")
    billed = OrganisationFactory(name="Dana Whitfield", billing_address="12 Elm Road, LS1 1AA")
    InvoiceRequest.objects.create(requested_by=user, plan=PlanFactory(), organisation=billed)

    [request] = json.loads(_export(user).read("requests_to_join.json"))

    assert request["organisation__billing_address"] == "12 Elm Road, LS1 1AA"


def test_the_download_holds_the_seats_an_organisation_took_back():
    user = UserFactory(name="Dana Whitfield", email="dana@example.org")
    SeatRemoval.objects.create(
        organisation=OrganisationFactory(name="Northmoor Council (fictional)"), user=user
    )

    [ended] = json.loads(_export(user).read("seats_ended.json"))

    assert ended["organisation__name"] == "Northmoor Council (fictional)"


def test_the_download_says_when_the_networks_staff_took_a_seat_back():
    user = UserFactory(name="Dana Whitfield", email="dana@example.org")
    SeatRemoval.objects.create(organisation=OrganisationFactory(), user=user, by_staff=True)

    [ended] = json.loads(_export(user).read("seats_ended.json"))

    assert ended["by_staff"] is True


def test_the_download_holds_nothing_of_anyone_else():
    user = _person_with_everything("Dana Whitfield", "dana@example.org")
    _person_with_everything("Robin Okoye", "robin@example.org")
    archive = _export(user)
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8-sig")
        assert "Robin" not in text and "robin@example.org" not in text, name


def test_the_download_is_written_to_the_configured_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
    }
    settings.DATA_EXPORT_STORAGE = "exports"
    user = UserFactory()
    data_request = DataRequest.objects.create(user=user, kind=DataRequest.Kind.ACCESS)
    data_rights.data_export_build(data_request=data_request)
    data_request.refresh_from_db()
    assert (tmp_path / "exports" / data_request.export_file).exists()


def test_a_csv_cell_that_looks_like_a_formula_stays_text():
    user = UserFactory(name="=HYPERLINK(1)")
    assert "'=HYPERLINK(1)" in _export(user).read("profile.csv").decode("utf-8-sig")


def test_the_download_holds_the_files_they_attached_to_forum_posts():
    from django.core.files.base import ContentFile

    from forum.models import PostAttachment

    user = UserFactory(name="Dana Whitfield", email="dana@example.org")
    post = thread_with_posts(posts=1, author=user).posts.get()
    attachment = PostAttachment(
        post=post,
        original_filename="Night handover.pdf",
        content_type="application/pdf",
        extension="pdf",
        size_bytes=11,
    )
    attachment.file.save("x.pdf", ContentFile(b"%PDF-rota 1"), save=False)
    attachment.save()

    archive = _export(user)

    [listed] = json.loads(archive.read("forum_attachments.json"))
    assert listed["original_filename"] == "Night handover.pdf"
    assert archive.read(listed["file_in_download"]) == b"%PDF-rota 1"
    assert f'<a href="{listed["file_in_download"]}">' in archive.read("index.html").decode()


def test_every_part_of_the_download_has_plain_english_csv_headings():
    user = _person_with_everything("Dana Whitfield", "dana@example.org")
    archive = _export(user)
    for name in archive.namelist():
        if name.endswith(".csv"):
            header = archive.read(name).decode("utf-8-sig").splitlines()[0]
            assert "_" not in header, (name, header)


def _csv_rows(archive: zipfile.ZipFile, part: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(f"{part}.csv").decode("utf-8-sig"))))


def test_the_csv_and_index_show_each_status_and_choice_in_words_not_its_stored_code():
    user = _person_with_everything("Dana Whitfield", "dana@example.org")
    user.region = Region.YORKSHIRE
    user.save()

    archive = _export(user)

    [subscription] = _csv_rows(archive, "subscriptions")
    assert (subscription["Status"], subscription["How you pay"]) == ("Active", "Card")
    assert _csv_rows(archive, "profile")[0]["Region"] == "Yorkshire and the Humber"
    assert _csv_rows(archive, "forum_posts")[0]["Status"] == "Visible"
    assert _csv_rows(archive, "event_registrations")[0]["Status"] == "Confirmed"
    assert _csv_rows(archive, "newsletter_subscription")[0]["Status"] == "Subscribed"
    assert _csv_rows(archive, "data_requests")[0]["Request"] == "A copy of your data"
    page = archive.read("index.html").decode()
    assert "<td>Yorkshire and the Humber</td>" in page and "<td>Card</td>" in page
    for code in ("yorkshire", "charge_automatically", "active", "visible", "confirmed"):
        assert f"<td>{code}</td>" not in page


def test_the_json_keeps_the_stored_codes_for_other_software():
    user = _person_with_everything("Dana Whitfield", "dana@example.org")
    user.region = Region.YORKSHIRE
    user.save()

    archive = _export(user)

    [subscription] = json.loads(archive.read("subscriptions.json"))
    assert (subscription["status"], subscription["collection_method"]) == (
        "active",
        "charge_automatically",
    )
    assert json.loads(archive.read("profile.json"))[0]["region"] == "yorkshire"
    assert json.loads(archive.read("event_registrations.json"))[0]["status"] == "confirmed"


def test_invoice_amounts_read_in_pounds_in_the_csv_and_index_and_in_pence_in_the_json():
    user = UserFactory(name="Dana Whitfield", email="dana@example.org")
    InvoiceFactory(subscription=SubscriptionFactory(user=user), amount_due_pence=24750)

    archive = _export(user)

    assert _csv_rows(archive, "invoices")[0]["Amount due"] == "£247.50"
    assert "<td>£247.50</td>" in archive.read("index.html").decode()
    assert json.loads(archive.read("invoices.json"))[0]["amount_due_pence"] == 24750


def test_the_download_says_how_much_of_an_invoice_was_refunded_and_when():
    user = UserFactory(name="Dana Whitfield", email="dana@example.org")
    InvoiceFactory(
        subscription=SubscriptionFactory(user=user),
        status="paid",
        amount_due_pence=24750,
        amount_refunded_pence=4750,
        refunded_at=datetime(2026, 11, 3, 10, 30, tzinfo=UTC),
    )

    archive = _export(user)

    [row] = _csv_rows(archive, "invoices")
    assert row["Amount refunded"] == "£47.50"
    assert row["Last refunded"].startswith("2026-11-03")
    assert json.loads(archive.read("invoices.json"))[0]["amount_refunded_pence"] == 4750


def test_the_download_names_the_persons_own_requests_consents_and_emails_as_theirs():
    user = _person_with_everything("Dana Whitfield", "dana@example.org")
    subscriber = Subscriber.objects.get(user=user)
    Consent.objects.create(
        subscriber=subscriber, action=Consent.Action.ACCOUNT, form="account", text="Yes"
    )
    ForumEmail.objects.create(key="moderation-1", recipient=user, kind=EmailKind.MODERATION_NOTICE)

    archive = _export(user)

    [request] = _csv_rows(archive, "data_requests")
    assert (request["Request"], request["How it reached us"]) == (
        "A copy of your data",
        "Your account page",
    )
    assert _csv_rows(archive, "newsletter_consents")[0]["What you did"] == (
        "Subscribed from your account"
    )
    [email] = _csv_rows(archive, "forum_emails")
    assert email["Kind"] == "A moderator's decision about your post"


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (EmailKind.REPORT_DECIDED, "The moderators' decision on a post you reported"),
        (
            EmailKind.REPORT_OUTCOME,
            "The moderators changed their decision on your post, or on a post you reported",
        ),
    ],
)
def test_the_download_names_the_moderation_emails_in_the_persons_terms(kind, words):
    user = _person_with_everything("Dana Whitfield", "dana@example.org")
    ForumEmail.objects.create(key=f"{kind}-1", recipient=user, kind=kind)

    [email] = _csv_rows(_export(user), "forum_emails")

    assert email["Kind"] == words


def test_the_download_tells_a_person_added_by_staff_it_was_at_their_request():
    user = _person_with_everything("Robin Hale", "robin@example.org")
    Consent.objects.create(
        subscriber=Subscriber.objects.get(user=user),
        action=Consent.Action.ADDED,
        form="added by staff in the admin",
        text="This person asked us to send them what is ticked.",
    )

    rows = _csv_rows(_export(user), "newsletter_consents")

    assert (
        rows[0]["What you did"] == "Added by our staff at your request (awaiting your confirmation)"
    )


def test_the_download_holds_the_organisation_details_an_admin_changed():
    user = UserFactory(name="Dana Whitfield", email="dana@example.org")
    OrganisationDetailsChange.objects.create(
        organisation=OrganisationFactory(name="Northmoor Council (fictional)"),
        changed_by=user,
        fields_changed=["name", "purchase_order_number"],
    )
    OrganisationDetailsChange.objects.create(
        organisation=OrganisationFactory(), changed_by=UserFactory(), fields_changed=["region"]
    )
    archive = _export(user)

    [change] = json.loads(archive.read("organisation_details_changed.json"))

    assert change["organisation__name"] == "Northmoor Council (fictional)"
    assert "Name, PO number" in archive.read("organisation_details_changed.csv").decode()
