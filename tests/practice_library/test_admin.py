"""The editors' side in the Django admin: creating resources, previews, the workflow
(draft, in review, published now or scheduled, archived), bulk actions, the review-due
list and attachment checks."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from members.access import AccessLevel
from practice_library import tasks
from practice_library.models import Attachment, Resource, ResourceStatus
from tests.members.factories import TopicFactory
from tests.practice_library.factories import ResourceFactory, attach, pdf_bytes

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:practice_library_resource_add")
CHANGELIST = reverse("admin:practice_library_resource_changelist")
INDEX = reverse("practice_library:index")


def resource_form(resource_type, topic, **changes) -> dict:
    data = {
        "title": "Restorative practice in children's homes",
        "slug": "restorative-practice",
        "resource_type": resource_type.pk,
        "summary": "How homes use restorative conversations after incidents.",
        "body": "## Why it matters\n\nRestorative conversations **repair** relationships.",
        "access_level": AccessLevel.MEMBERS,
        "topics": [topic.pk],
        "audiences": ["provider"],
        "source": "Network editorial team",
        "status": ResourceStatus.PUBLISHED,
        "publish_at_0": "",
        "publish_at_1": "",
        "reviewed_on": "",
        "review_due": "",
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "attachments-0-title": "",
        "attachments-0-order": "0",
    }
    data.update(changes)
    return data


def listed_titles(client) -> list[str]:
    return [r.title for r in client.get(INDEX).context["page"].object_list]


# --- Creating and the workflow ----------------------------------------------------------


def test_editor_publishes_a_resource_that_readers_then_find(
    staff_client, guide, safeguarding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(ADD_URL, resource_form(guide, safeguarding))

    assert response.status_code == 302, response.context["adminform"].form.errors
    resource = Resource.objects.get(slug="restorative-practice")
    assert resource.is_live
    assert "<strong>repair</strong>" in resource.body_html
    assert [a.audience for a in resource.audiences.all()] == ["provider"]
    assert listed_titles(staff_client) == ["Restorative practice in children's homes"]
    found = staff_client.get(INDEX, {"q": "restorative", "topic": "safeguarding"})
    assert [r.title for r in found.context["page"].object_list] == [resource.title]


@pytest.mark.parametrize("status", [ResourceStatus.DRAFT, ResourceStatus.REVIEW])
def test_drafts_and_resources_in_review_are_saved_but_not_published(
    staff_client, guide, safeguarding, status
):
    staff_client.post(ADD_URL, resource_form(guide, safeguarding, status=status))

    resource = Resource.objects.get(slug="restorative-practice")
    assert resource.status == status
    assert not resource.is_live
    assert listed_titles(staff_client) == []


def test_a_future_publish_time_schedules_the_resource(staff_client, guide, safeguarding):
    when = timezone.localtime() + timedelta(days=2)
    staff_client.post(
        ADD_URL,
        resource_form(
            guide,
            safeguarding,
            publish_at_0=when.strftime("%Y-%m-%d"),
            publish_at_1=when.strftime("%H:%M:%S"),
        ),
    )

    resource = Resource.objects.get(slug="restorative-practice")
    assert resource.is_scheduled
    assert listed_titles(staff_client) == []


def test_the_beat_task_publishes_scheduled_resources_when_their_time_comes(client):
    due = ResourceFactory(
        title="Due now", published_at=None, publish_at=timezone.now() + timedelta(hours=1)
    )
    ResourceFactory(
        title="Next week", published_at=None, publish_at=timezone.now() + timedelta(days=7)
    )
    Resource.objects.filter(pk=due.pk).update(publish_at=timezone.now() - timedelta(minutes=1))

    published = tasks.resources_publish_scheduled.delay().get()

    assert published == 1
    assert [r.title for r in client.get(INDEX).context["page"].object_list] == ["Due now"]


def test_the_beat_schedule_runs_the_scheduled_publishing_task():
    tasks_scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]

    assert "practice_library.tasks.resources_publish_scheduled" in tasks_scheduled


def test_a_past_publish_time_back_dates_the_resource(staff_client, guide, safeguarding):
    staff_client.post(
        ADD_URL,
        resource_form(guide, safeguarding, publish_at_0="2021-03-01", publish_at_1="09:00:00"),
    )

    resource = Resource.objects.get(slug="restorative-practice")
    assert resource.is_live
    assert resource.published_at.date() == date(2021, 3, 1)


def test_editing_a_published_resource_back_to_draft_takes_it_out_of_search(
    staff_client, guide, safeguarding
):
    staff_client.post(ADD_URL, resource_form(guide, safeguarding))
    resource = Resource.objects.get(slug="restorative-practice")

    staff_client.post(
        reverse("admin:practice_library_resource_change", args=[resource.pk]),
        resource_form(guide, safeguarding, status=ResourceStatus.DRAFT),
    )

    assert staff_client.get(INDEX, {"q": "restorative"}).context["page"].object_list == []


# --- Previews -----------------------------------------------------------------------------


def test_editor_previews_a_draft_as_a_member(client, editor):
    resource = ResourceFactory(
        status=ResourceStatus.DRAFT, access_level=AccessLevel.MEMBERS, body="The full text."
    )
    client.force_login(editor)

    response = client.get(reverse("practice_library:preview", args=[resource.pk]), {"as": "member"})

    text = response.content.decode()
    assert "The full text." in text
    assert "Preview: this is the page as a member sees it" in text


def test_editor_previews_a_resource_as_a_signed_in_non_member(client, editor, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 3
    resource = ResourceFactory(access_level=AccessLevel.MEMBERS, body="The full text.")
    client.force_login(editor)

    response = client.get(
        reverse("practice_library:preview", args=[resource.pk]), {"as": "registered"}
    )

    text = response.content.decode()
    assert "The full text." not in text
    assert "You have used your 3 free reads" in text


def test_editor_previews_a_resource_as_a_visitor(client, editor, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 3
    resource = ResourceFactory(access_level=AccessLevel.MEMBERS, body="The full text.")
    client.force_login(editor)

    response = client.get(
        reverse("practice_library:preview", args=[resource.pk]), {"as": "anonymous"}
    )

    text = response.content.decode()
    assert "The full text." not in text
    assert "Join the network" in text
    assert "open 3 members-only resources a month" in text


def test_previews_are_for_editors_and_staff_only(client, member):
    resource = ResourceFactory(status=ResourceStatus.DRAFT)
    client.force_login(member)

    response = client.get(reverse("practice_library:preview", args=[resource.pk]))

    assert response.status_code == 403


def test_resource_change_page_links_to_the_previews(staff_client):
    resource = ResourceFactory()

    response = staff_client.get(
        reverse("admin:practice_library_resource_change", args=[resource.pk])
    )

    text = response.content.decode()
    preview = reverse("practice_library:preview", args=[resource.pk])
    assert f"{preview}?as=member" in text
    assert f"{preview}?as=registered" in text


# --- Bulk actions, filters and the review-due list -----------------------------------------


def run_action(client, action: str, resources, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [r.pk for r in resources], **extra},
        follow=True,
    )


def test_bulk_publish_puts_drafts_live(staff_client):
    drafts = [ResourceFactory(status=ResourceStatus.DRAFT, published_at=None) for _ in range(2)]

    response = run_action(staff_client, "publish", drafts)

    assert "2 resource(s) published or scheduled" in response.content.decode()
    assert len(listed_titles(staff_client)) == 2


def test_bulk_archive_takes_resources_out_of_the_library(staff_client):
    resources = [ResourceFactory(), ResourceFactory()]

    run_action(staff_client, "archive", resources)

    assert set(Resource.objects.values_list("status", flat=True)) == {ResourceStatus.ARCHIVED}
    assert listed_titles(staff_client) == []


def test_bulk_set_review_date(staff_client):
    resources = [ResourceFactory(), ResourceFactory()]

    response = run_action(staff_client, "set_review_date", resources, review_date="2027-05-01")

    assert "Review date set to 1 May 2027 on 2 resource(s)" in response.content.decode()
    assert set(Resource.objects.values_list("review_due", flat=True)) == {date(2027, 5, 1)}


def test_action_bar_offers_a_review_date_box(staff_client):
    ResourceFactory()

    response = staff_client.get(CHANGELIST)

    assert 'name="review_date"' in response.content.decode()


def test_bulk_set_review_date_without_a_date_explains_what_to_do(staff_client):
    resource = ResourceFactory(review_due=None)

    response = run_action(staff_client, "set_review_date", [resource])

    assert "Choose a review date" in response.content.decode()
    resource.refresh_from_db()
    assert resource.review_due is None


def test_review_due_list_shows_only_resources_whose_review_date_has_passed(staff_client):
    today = timezone.localdate()
    ResourceFactory(title="Overdue guide", review_due=today - timedelta(days=10))
    ResourceFactory(title="Fine guide", review_due=today + timedelta(days=100))
    ResourceFactory(
        title="Archived overdue", review_due=today - timedelta(days=10), status="archived"
    )

    response = staff_client.get(reverse("admin:practice_library_resourcedueforreview_changelist"))

    text = response.content.decode()
    assert "Overdue guide" in text
    assert "Fine guide" not in text
    assert "Archived overdue" not in text


@pytest.mark.parametrize(
    "query",
    ["status__exact=draft", "audience=provider", "review=due", "topics__id__exact=1", "q=guide"],
)
def test_resource_list_filters_and_search_work(staff_client, query):
    ResourceFactory(title="A guide", audiences=["provider"])

    response = staff_client.get(f"{CHANGELIST}?{query}")

    assert response.status_code == 200


@pytest.mark.parametrize("words", ["Kestrel", "tidewater trust", "STAYING CLOSE"])
def test_staff_find_a_resource_by_words_of_its_title_summary_or_source(staff_client, words):
    ResourceFactory(
        title="Staying Close: a first year",
        summary="What the Kestrel homes learned.",
        source="Tidewater Trust",
    )
    ResourceFactory(title="Another guide", summary="Unrelated.", source="Network")

    response = staff_client.get(CHANGELIST, {"q": words})

    titles = [resource.title for resource in response.context["cl"].result_list]
    assert titles == ["Staying Close: a first year"]


def test_the_resource_list_filters_by_the_year_published(staff_client):
    ResourceFactory(title="From 2021", published_at=datetime(2021, 6, 1, 12, tzinfo=UTC))
    ResourceFactory(title="From 2023", published_at=datetime(2023, 6, 1, 12, tzinfo=UTC))

    response = staff_client.get(CHANGELIST, {"published_at_year": "2021"})

    assert [r.title for r in response.context["cl"].result_list] == ["From 2021"]
    assert "By year published" in response.content.decode()


def test_resource_types_are_data_editable_in_the_admin(staff_client, guide):
    response = staff_client.get(reverse("admin:practice_library_resourcetype_changelist"))

    assert "Practice guide" in response.content.decode()


# --- Attachments ------------------------------------------------------------------------


def add_with_file(client, guide, topic, uploaded):
    data = resource_form(guide, topic)
    data["attachments-0-file"] = uploaded
    return client.post(ADD_URL, data)


def test_editor_attaches_a_pdf_and_its_type_and_size_are_recorded(
    staff_client, guide, safeguarding, django_capture_on_commit_callbacks
):
    content = pdf_bytes("Restorative conversation prompts")
    with django_capture_on_commit_callbacks(execute=True):
        response = add_with_file(
            staff_client, guide, safeguarding, SimpleUploadedFile("prompts.pdf", content)
        )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.extension) == ("application/pdf", "pdf")
    assert attachment.size_bytes == len(content)
    assert attachment.original_filename == "prompts.pdf"
    assert "Restorative conversation prompts" in attachment.extracted_text


def test_an_attachment_over_the_size_limit_gets_a_clear_error(
    staff_client, guide, safeguarding, settings
):
    settings.LIBRARY_ATTACHMENT_MAX_BYTES = 1000

    response = add_with_file(
        staff_client, guide, safeguarding, SimpleUploadedFile("big.pdf", pdf_bytes("x" * 5000))
    )

    assert response.status_code == 200
    assert "files may be at most 1000" in response.content.decode().replace("\xa0", " ")
    assert not Resource.objects.exists()


def test_an_attachment_of_a_refused_type_gets_a_clear_error_and_the_form_keeps_its_text(
    staff_client, guide, safeguarding
):
    response = add_with_file(
        staff_client,
        guide,
        safeguarding,
        SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 300),
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "This type of file cannot be attached" in text
    assert "renaming a file does not change it" in text
    assert "Restorative practice in children&#x27;s homes" in text
    assert not Attachment.objects.exists()


# --- Change pages of resources with files -------------------------------------------------


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def resource_with_file(db):
    resource = ResourceFactory(title="Preparing for inspection", status=ResourceStatus.DRAFT)
    attachment = attach(resource, name="inspection-checklist.pdf")
    return resource, attachment


def change_url(resource, admin_name: str = "resource") -> str:
    return reverse(f"admin:practice_library_{admin_name}_change", args=[resource.pk])


@pytest.mark.parametrize("admin_name", ["resource", "resourcedueforreview"])
def test_editor_opens_the_change_page_of_a_resource_with_a_file(
    editor_client, resource_with_file, admin_name
):
    resource, attachment = resource_with_file
    resource.review_due = date(2020, 1, 1)
    resource.save(update_fields=["review_due"])

    response = editor_client.get(change_url(resource, admin_name))

    text = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 200
    assert "inspection-checklist.pdf" in text
    assert f"PDF, {filesizeformat(attachment.size_bytes)}".replace("\xa0", " ") in text
    download = reverse(
        "practice_library:download",
        kwargs={"slug": resource.slug, "attachment_id": attachment.pk},
    )
    assert f'href="{download}"' in text


def test_the_download_link_in_the_admin_gives_the_editor_the_file(
    editor_client, resource_with_file
):
    resource, attachment = resource_with_file

    response = editor_client.get(
        reverse(
            "practice_library:download",
            kwargs={"slug": resource.slug, "attachment_id": attachment.pk},
        )
    )

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == pdf_bytes()


def inline_data(resource, attachment, **changes) -> dict:
    data = resource_form(resource.resource_type, TopicFactory(name="Inspection"))
    data.update(
        {
            "title": resource.title,
            "slug": resource.slug,
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "1",
            "attachments-0-id": str(attachment.pk),
            "attachments-0-resource": str(resource.pk),
            "attachments-0-title": "",
            "attachments-0-order": "0",
        }
    )
    data.update(changes)
    return data


def test_editing_a_resource_keeps_its_file(editor_client, resource_with_file):
    resource, attachment = resource_with_file

    response = editor_client.post(
        change_url(resource), inline_data(resource, attachment, summary="A new summary.")
    )

    assert response.status_code == 302
    attachment.refresh_from_db()
    resource.refresh_from_db()
    assert resource.summary == "A new summary."
    assert attachment.original_filename == "inspection-checklist.pdf"
    assert attachment.file.read() == pdf_bytes()


def test_replacing_the_file_of_an_attachment_stores_the_new_one(editor_client, resource_with_file):
    resource, attachment = resource_with_file
    content = pdf_bytes("A newer checklist")

    response = editor_client.post(
        change_url(resource),
        inline_data(
            resource,
            attachment,
            **{"attachments-0-file": SimpleUploadedFile("newer-checklist.pdf", content)},
        ),
    )

    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.original_filename == "newer-checklist.pdf"
    assert attachment.size_bytes == len(content)
    assert attachment.file.read() == content


def test_a_resource_that_comes_back_asks_for_its_new_file_again_without_calling_it_current(
    staff_client, guide, safeguarding
):
    data = resource_form(guide, safeguarding)
    data["title"] = ""
    data["attachments-0-file"] = SimpleUploadedFile("prompts.pdf", pdf_bytes("Prompts"))

    text = staff_client.post(ADD_URL, data).content.decode()

    assert "You chose “prompts.pdf”" in text
    assert "choose it again before you save" in text
    assert "Current file" not in text
    assert not Attachment.objects.exists()
