"""Files a member chose for a new thread or a reply survive a preview and a refusal: the
form lists them ("Attached: name (size) [Remove]") and the post takes them when sent.
They are the uploader's alone, count towards the post's limit, and go after a day unused.
"""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from forum.models import (
    AttachmentApproval,
    DraftAttachment,
    ForumPreference,
    PostAttachment,
    Thread,
)
from forum.services import attachments, posting
from members import data_rights as members_data_rights
from members.models import DataRequest
from network import data_rights
from network.files import protected_storage
from tests.forum.factories import thread_with_posts

pytestmark = pytest.mark.django_db

CHECKLIST = b"%PDF-1.4 induction checklist"


@pytest.fixture
def confirmed(member, second_member):
    for person in (member, second_member):
        ForumPreference.objects.update_or_create(
            user=person, defaults={"child_safety_confirmed_at": timezone.now()}
        )


def pdf(name: str = "induction-checklist.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, CHECKLIST, content_type="application/pdf")


def jpeg_with_exif() -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 30), "teal")
    exif = Image.Exif()
    exif[0x010F] = "Fictional Camera Co"  # Make
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return SimpleUploadedFile("garden.jpg", output.getvalue(), content_type="image/jpeg")


def page(response) -> str:
    return response.content.decode()


def kept_ids(response) -> list[int]:
    return [item.pk for item in response.context["form"].kept]


def new_thread(client, room, **data):
    return client.post(f"/forum/c/{room.slug}/new/", data)


def test_a_preview_keeps_the_chosen_file_and_the_thread_takes_it(client, room, member, confirmed):
    client.force_login(member)
    preview = new_thread(
        client,
        room,
        title="Induction week",
        body="Our induction checklist, attached.",
        attachments=[pdf()],
        preview="1",
    )

    html = page(preview)
    assert preview.status_code == 200
    assert "Attached: <strong>induction-checklist.pdf</strong> (28" in html
    assert 'name="remove_attachment"' in html
    assert "choose it again" not in html

    posted = new_thread(
        client,
        room,
        title="Induction week",
        body="Our induction checklist, attached.",
        kept_attachments=kept_ids(preview),
    )

    assert posted.status_code == 302
    attachment = PostAttachment.objects.get()
    assert attachment.post.thread.title == "Induction week"
    assert attachment.original_filename == "induction-checklist.pdf"
    with attachment.file.open("rb") as stored:
        assert stored.read() == CHECKLIST
    assert not DraftAttachment.objects.exists()


def test_a_thread_refused_for_its_title_keeps_the_chosen_files(client, room, member, confirmed):
    client.force_login(member)
    refused = new_thread(
        client, room, title="", body="Rotas attached.", attachments=[pdf("rota.pdf"), pdf()]
    )

    assert refused.status_code == 400
    assert "Attached: <strong>rota.pdf</strong>" in page(refused)
    assert "Attached: <strong>induction-checklist.pdf</strong>" in page(refused)
    new_thread(
        client,
        room,
        title="Night rotas",
        body="Rotas attached.",
        kept_attachments=kept_ids(refused),
    )
    assert sorted(PostAttachment.objects.values_list("original_filename", flat=True)) == [
        "induction-checklist.pdf",
        "rota.pdf",
    ]


def test_a_reply_refused_for_a_blocked_word_keeps_the_file_and_the_reply_takes_it(
    client, room, member, confirmed
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    refused = client.post(
        f"/forum/t/{thread.pk}/reply/",
        {"body": "Her NHS number is 943 476 5919", "attachments": [pdf()]},
    )

    assert refused.status_code == 400
    assert "looks like an NHS number" in page(refused)
    assert "Attached: <strong>induction-checklist.pdf</strong>" in page(refused)
    client.post(
        f"/forum/t/{thread.pk}/reply/",
        {"body": "Our checklist, attached.", "kept_attachments": kept_ids(refused)},
    )
    assert PostAttachment.objects.get().post.post_number == 2


def test_a_file_chosen_after_a_preview_joins_the_ones_kept(client, room, member, confirmed):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    url = f"/forum/t/{thread.pk}/reply/"
    first = client.post(url, {"body": "Two files.", "attachments": [pdf()], "preview": "1"})
    client.post(
        url,
        {
            "body": "Two files.",
            "kept_attachments": kept_ids(first),
            "attachments": [pdf("rota.pdf")],
        },
    )
    assert PostAttachment.objects.count() == 2


def test_remove_takes_a_kept_file_off_and_deletes_it_without_refusing_the_form(
    client, room, member, confirmed, django_capture_on_commit_callbacks
):
    client.force_login(member)
    preview = new_thread(
        client, room, title="Induction week", body="", attachments=[pdf()], preview="1"
    )
    draft = DraftAttachment.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        removed = new_thread(
            client,
            room,
            title="Induction week",
            body="",
            kept_attachments=kept_ids(preview),
            remove_attachment=str(draft.pk),
        )

    assert removed.status_code == 200
    assert "There is a problem" not in page(removed)
    assert "“induction-checklist.pdf” is no longer attached." in page(removed)
    assert 'value="Induction week"' in page(removed)
    assert removed.context["form"].kept == []
    assert not DraftAttachment.objects.exists()
    assert not protected_storage.exists(draft.file.name)


def test_another_member_cannot_attach_someone_elses_kept_file(
    client, room, member, second_member, confirmed
):
    client.force_login(member)
    preview = new_thread(
        client, room, title="Induction", body="x", attachments=[pdf()], preview="1"
    )
    [theirs] = kept_ids(preview)

    client.force_login(second_member)
    response = new_thread(
        client, room, title="Borrowed file", body="Look at this.", kept_attachments=[theirs]
    )

    assert response.status_code == 400
    assert "no longer kept" in page(response)
    assert "induction-checklist.pdf" not in page(response)
    assert not Thread.objects.exists()
    assert DraftAttachment.objects.get().owner == member


def test_a_service_refuses_a_kept_file_of_someone_else(room, member, second_member):
    [draft] = attachments.drafts_keep(owner=member, files=[pdf()], kept_ids=[]).files
    with pytest.raises(ValidationError) as refused:
        posting.thread_create(
            author=second_member,
            category=room,
            title="Borrowed file",
            body="Look at this.",
            kept_attachments=[draft.pk],
            confirmed_child_safety=True,
        )
    assert refused.value.error_list[0].code == "kept_gone"
    assert not PostAttachment.objects.exists()


def test_another_member_cannot_remove_someone_elses_kept_file(room, member, second_member):
    [draft] = attachments.drafts_keep(owner=member, files=[pdf()], kept_ids=[]).files
    attachments.drafts_keep(owner=second_member, files=[], kept_ids=[draft.pk], remove=draft.pk)
    assert DraftAttachment.objects.filter(pk=draft.pk).exists()


def test_kept_files_count_towards_the_limit_of_a_post(client, settings, room, member, confirmed):
    settings.FORUM_ATTACHMENTS_PER_POST = 2
    client.force_login(member)
    preview = new_thread(
        client, room, title="Induction", body="x", attachments=[pdf(), pdf("a.pdf")], preview="1"
    )

    over = new_thread(
        client,
        room,
        title="Induction",
        body="x",
        kept_attachments=kept_ids(preview),
        attachments=[pdf("one-too-many.pdf")],
    )

    assert over.status_code == 400
    assert "Attach at most 2 files to one post (2 attached already)." in page(over)
    assert len(kept_ids(over)) == 2
    assert DraftAttachment.objects.count() == 2
    assert not Thread.objects.exists()


def test_the_posting_service_counts_kept_files_towards_the_limit(settings, room, member):
    settings.FORUM_ATTACHMENTS_PER_POST = 1
    [draft] = attachments.drafts_keep(owner=member, files=[pdf()], kept_ids=[]).files
    with pytest.raises(ValidationError, match="at most 1 file"):
        posting.thread_create(
            author=member,
            category=room,
            title="Induction",
            body="x",
            attachments=[pdf("a.pdf")],
            kept_attachments=[draft.pk],
            confirmed_child_safety=True,
        )


def test_a_refused_file_is_named_and_the_others_are_kept(client, room, member, confirmed):
    client.force_login(member)
    renamed = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00 not a pdf")
    response = new_thread(
        client, room, title="Induction", body="x", attachments=[pdf(), renamed], preview="1"
    )
    assert response.status_code == 400
    assert "notes.pdf: This type of file cannot be attached" in page(response)
    assert [d.original_filename for d in DraftAttachment.objects.all()] == [
        "induction-checklist.pdf"
    ]


def test_a_kept_image_waits_for_approval_and_loses_its_metadata(
    client, room, member, confirmed, django_capture_on_commit_callbacks
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    url = f"/forum/t/{thread.pk}/reply/"
    preview = client.post(
        url, {"body": "Our garden.", "attachments": [jpeg_with_exif()], "preview": "1"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"body": "Our garden.", "kept_attachments": kept_ids(preview)})

    image = PostAttachment.objects.get()
    assert image.approval == AttachmentApproval.PENDING
    assert image.metadata_stripped
    with image.file.open("rb") as stored:
        assert b"Fictional Camera" not in stored.read()


def test_a_kept_file_gone_since_is_named_rather_than_posted_without(
    client, room, member, confirmed
):
    client.force_login(member)
    preview = new_thread(
        client, room, title="Induction", body="x", attachments=[pdf()], preview="1"
    )
    DraftAttachment.objects.all().delete()

    response = new_thread(
        client, room, title="Induction", body="x", kept_attachments=kept_ids(preview)
    )

    assert response.status_code == 400
    assert "A file you attached earlier is no longer kept" in page(response)
    assert not Thread.objects.exists()


def test_kept_files_unused_for_a_day_are_deleted_with_their_stored_files(
    member, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now() - timedelta(days=1, minutes=1), tick=False):
        [old] = attachments.drafts_keep(owner=member, files=[pdf()], kept_ids=[]).files
    [recent] = attachments.drafts_keep(owner=member, files=[pdf("a.pdf")], kept_ids=[]).files

    with django_capture_on_commit_callbacks(execute=True):
        data_rights.retention_enforce()

    assert list(DraftAttachment.objects.all()) == [recent]
    assert not protected_storage.exists(old.file.name)
    assert protected_storage.exists(recent.file.name)


def test_a_member_sending_the_form_again_and_again_keeps_only_the_latest_files(
    client, settings, room, member, confirmed, django_capture_on_commit_callbacks
):
    settings.FORUM_KEPT_FILES_PER_MEMBER = 3
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        sent = [
            new_thread(client, room, title="", body="x", attachments=[pdf(f"{n}.pdf")])
            for n in range(5)
        ]

    kept = DraftAttachment.objects.filter(owner=member)
    assert [draft.original_filename for draft in kept] == ["2.pdf", "3.pdf", "4.pdf"]
    stored = [response.context["form"].kept[0].file.name for response in sent]
    assert [protected_storage.exists(name) for name in stored] == [False, False, True, True, True]


def test_the_files_of_the_form_being_sent_are_never_let_go_for_the_limit(
    settings, member, second_member
):
    settings.FORUM_KEPT_FILES_PER_MEMBER = 2
    elsewhere = attachments.drafts_keep(owner=member, files=[pdf("a.pdf")], kept_ids=[]).files
    others = attachments.drafts_keep(owner=second_member, files=[pdf("b.pdf")], kept_ids=[]).files

    this_form = attachments.drafts_keep(
        owner=member, files=[pdf("c.pdf"), pdf("d.pdf")], kept_ids=[]
    ).files

    assert not DraftAttachment.objects.filter(pk=elsewhere[0].pk).exists()
    assert set(DraftAttachment.objects.filter(owner=member)) == set(this_form)
    assert DraftAttachment.objects.filter(pk=others[0].pk).exists()


def test_a_double_submission_leaves_no_kept_copy_behind(client, room, member, confirmed):
    client.force_login(member)
    data = {"title": "Induction week", "body": "x", "submission_key": "7" * 32}
    new_thread(client, room, **data, attachments=[pdf()])
    new_thread(client, room, **data, attachments=[pdf()])
    assert PostAttachment.objects.count() == 1
    assert not DraftAttachment.objects.exists()


def test_an_erased_members_kept_files_go_with_them(member, django_capture_on_commit_callbacks):
    [draft] = attachments.drafts_keep(owner=member, files=[pdf()], kept_ids=[]).files
    data_request = members_data_rights.account_deletion_request(user=member, keep_post_text=True)
    with django_capture_on_commit_callbacks(execute=True):
        members_data_rights.account_erase(data_request=data_request)

    assert not DraftAttachment.objects.exists()
    assert not protected_storage.exists(draft.file.name)


def test_a_members_download_of_their_data_holds_their_kept_files(member):
    attachments.drafts_keep(owner=member, files=[pdf()], kept_ids=[])
    data_request = DataRequest.objects.create(
        user=member, kind=DataRequest.Kind.ACCESS, state=DataRequest.State.PREPARING
    )
    members_data_rights.data_export_build(data_request=data_request)
    data_request.refresh_from_db()
    with storages["default"].open(data_request.export_file, "rb") as file:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))

    [listed] = json.loads(archive.read("forum_unsent_files.json"))
    assert listed["original_filename"] == "induction-checklist.pdf"
    assert archive.read(listed["file_in_download"]) == CHECKLIST
