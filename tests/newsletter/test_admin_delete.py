"""Deleting editions in bulk: drafts go; one that has gone out is kept, and the editor is
told why in words about the edition, not about their permissions."""

import pytest
from django.urls import reverse

from newsletter.models import Edition
from tests.newsletter.factories import EditionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:newsletter_edition_changelist"


def _delete(client, editions, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [e.pk for e in editions], **extra},
        follow=True,
    )


def test_a_bulk_delete_with_a_sent_edition_says_a_sent_edition_is_the_record_kept(
    staff_client,
):
    draft = EditionFactory(subject="A draft nobody needs")
    sent = EditionFactory(subject="October briefing", status=Edition.Status.SENT)

    response = _delete(staff_client, [draft, sent])

    assert "“October briefing” was sent" in response.text
    assert "it is the record of what was sent, to whom and when" in response.text
    assert "Untick it to delete the others." in response.text
    assert "permission" not in response.text
    assert Edition.objects.filter(pk__in=[draft.pk, sent.pk]).count() == 2


def test_a_bulk_delete_of_a_paused_edition_says_how_to_stop_it_instead(staff_client):
    paused = EditionFactory(subject="November briefing", status=Edition.Status.PAUSED)

    response = _delete(staff_client, [paused])

    assert "“November briefing” is paused part-way through sending" in response.text
    assert "use Cancel on its Sending progress page" in response.text
    assert "Untick" not in response.text
    assert Edition.objects.filter(pk=paused.pk).exists()


def test_drafts_alone_are_deleted_in_bulk_as_before(staff_client):
    drafts = [EditionFactory(), EditionFactory()]

    asked = _delete(staff_client, drafts)
    _delete(staff_client, drafts, post="yes")

    assert "<title>Delete multiple objects" in asked.text
    assert not Edition.objects.filter(pk__in=[d.pk for d in drafts]).exists()
