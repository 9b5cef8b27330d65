"""A thread's title changed in the admin is a moderation decision: often made to take
out what identifies someone, it asks for a reason and writes the moderation log (who,
when, why, and fingerprints of the old and the new title, never the old title itself),
and the thread's address words follow the new title."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forum.models import ModerationAction, ModerationActionKind, content_hash
from forum.moderation.threads import thread_retitle
from members.access import MODERATORS_GROUP
from members.demo import MODERATORS_APP_LABELS, group_with_permissions
from tests.forum.factories import thread_with_posts
from tests.roles import with_two_factor

pytestmark = pytest.mark.django_db

OLD = "Sam Jones went missing from Oak House"
NEW = "A young person went missing: what we learnt"


@pytest.fixture
def thread(room, member):
    return thread_with_posts(category=room, author=member, posts=1, title=OLD)


def _change(client, thread, **data):
    return client.post(reverse("admin:forum_thread_change", args=[thread.pk]), data)


def test_changing_a_title_in_the_admin_asks_for_a_reason_and_keeps_what_was_typed(
    staff_client, thread
):
    response = _change(staff_client, thread, title=NEW, title_reason="")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Give a reason for changing the title" in page
    assert f'value="{NEW}"' in page
    thread.refresh_from_db()
    assert thread.title == OLD
    assert not ModerationAction.objects.exists()


def test_a_title_changed_in_the_admin_is_logged_with_who_and_why(staff_client, staff, thread):
    response = _change(staff_client, thread, title=NEW, title_reason="Named a child")

    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.title == NEW
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.thread_id, entry.actor_id) == (
        ModerationActionKind.RETITLE,
        thread.pk,
        staff.pk,
    )
    assert entry.reason == "Named a child"
    assert (entry.hash_before, entry.hash_after) == (content_hash(OLD), content_hash(NEW))


def test_the_log_keeps_no_word_of_the_old_title(staff_client, thread):
    _change(staff_client, thread, title=NEW, title_reason="Named a child")

    entry = ModerationAction.objects.values().get()
    assert not [value for value in entry.values() if "Sam" in str(value)]


def test_moderators_see_the_title_change_in_the_thread_s_log(
    staff_client, moderator, client, thread
):
    _change(staff_client, thread, title=NEW, title_reason="Named a child")
    client.force_login(moderator)

    page = client.get(reverse("forum:moderation_thread", args=[thread.pk])).content.decode()

    assert "Changed a thread&#x27;s title" in page
    assert "Named a child" in page
    assert "Sam Jones" not in page


def test_the_address_follows_the_new_title(staff_client, thread):
    _change(staff_client, thread, title=NEW, title_reason="Named a child")

    thread.refresh_from_db()
    assert thread.slug == "a-young-person-went-missing-what-we-learnt"
    old_address = reverse("forum:thread", args=[thread.pk, "sam-jones-went-missing-from-oak-house"])
    assert staff_client.get(old_address).url == thread.get_absolute_url()


def test_the_address_words_are_not_edited_apart_from_the_title(staff_client, thread):
    _change(staff_client, thread, title=OLD, slug="sam-jones-oak-house")

    thread.refresh_from_db()
    assert thread.slug == "sam-jones-went-missing-from-oak-house"


def test_saving_a_thread_with_its_title_unchanged_needs_no_reason_and_logs_nothing(
    staff_client, thread
):
    response = _change(staff_client, thread, title=OLD, title_reason="")

    assert response.status_code == 302
    assert not ModerationAction.objects.exists()


def test_a_title_too_short_is_refused_in_the_admin(staff_client, thread):
    response = _change(staff_client, thread, title="Hi", title_reason="Named a child")

    assert "Give the thread a title of at least 5 characters." in response.content.decode()
    thread.refresh_from_db()
    assert thread.title == OLD


def test_a_moderator_with_the_admin_changes_titles_as_before(client, moderator, thread):
    moderator.is_staff = True
    moderator.save(update_fields=["is_staff"])
    group_with_permissions(MODERATORS_GROUP, MODERATORS_APP_LABELS)
    client.force_login(with_two_factor(moderator))

    response = _change(client, thread, title=NEW, title_reason="Named a child")

    assert response.status_code == 302
    assert ModerationAction.objects.get().actor_id == moderator.pk


def test_a_title_cannot_be_changed_without_a_reason(staff, thread):
    with pytest.raises(ValidationError, match="Give a reason"):
        thread_retitle(actor=staff, thread=thread, title=NEW, reason=" ")
