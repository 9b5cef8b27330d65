"""The editors' side in the admin: preview as sent, a test to oneself, the audience count,
send now, and the progress page with its controls."""

import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from forum.models import Category
from members.models import MemberType, Region
from members.staff_groups import group_with_permissions
from newsletter.models import Delivery, Edition
from tests import roles
from tests.forum.factories import CategoryFactory, ThreadFactory
from tests.members.factories import UserFactory
from tests.newsletter.conftest import parse, parts
from tests.newsletter.factories import (
    NewsletterFactory,
    SectionFactory,
    SubscriberFactory,
    subscribers,
)
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def url(name: str, edition: Edition) -> str:
    return reverse(f"admin:newsletter_edition_{name}", args=[edition.pk])


def post(client, path: str, data: dict):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, data)


def test_preview_shows_the_html_exactly_as_a_test_message_carries_it(staff_client, edition):
    preview = staff_client.get(url("preview", edition))
    post(staff_client, url("send", edition), {"action": "test"})

    sent = parts(parse(mail.outbox[0]))
    assert preview.status_code == 200
    assert preview.content.decode() == sent["text/html"]


def test_view_on_site_shows_a_draft_s_preview_and_a_sent_edition_s_archive_page(
    staff_client, edition
):
    change = reverse("admin:newsletter_edition_change", args=[edition.pk])

    def view_on_site() -> str:
        page = staff_client.get(change).text
        return re.search(r'<a href="([^"]+)" class="viewsitelink"', page)[1]

    assert view_on_site() == url("preview", edition)
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    assert view_on_site().startswith("/admin/r/")  # Django's redirect to the archive page


def test_text_preview_is_the_plain_text_part(staff_client, edition):
    preview = staff_client.get(url("preview_text", edition))
    post(staff_client, url("send", edition), {"action": "test"})

    assert preview["Content-Type"].startswith("text/plain")
    assert preview.content.decode() == parts(parse(mail.outbox[0]))["text/plain"]


def test_send_a_test_goes_to_the_editor_only_and_sends_nothing_else(
    staff_client, edition, staff, newsletter
):
    subscribers(newsletter, 2)

    response = post(staff_client, url("send", edition), {"action": "test"})

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert mail.outbox[0].subject.startswith("[Test] ")
    assert parse(mail.outbox[0])["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT
    assert not Delivery.objects.exists()


def test_send_page_shows_how_many_the_edition_will_reach(staff_client, edition, newsletter):
    subscribers(newsletter, 3)
    SubscriberFactory()  # another list

    response = staff_client.get(url("send", edition))

    assert "Audience: <strong>3</strong> subscribers" in response.content.decode()


def test_send_page_counts_the_filtered_audience(staff_client, edition, newsletter):
    londoner = SubscriberFactory(newsletters=[newsletter])
    londoner.user = londoner_user = _user(region=Region.LONDON)
    londoner.save()
    SubscriberFactory(newsletters=[newsletter], user=_user(region=Region.NORTH_EAST))
    edition.audience_region = Region.LONDON
    edition.save()

    response = staff_client.get(url("send", edition))

    assert londoner_user.region == Region.LONDON
    assert "Audience: <strong>1</strong> subscriber of" in response.content.decode()


def _user(**fields):
    from tests.members.factories import UserFactory

    return UserFactory(**fields)


def test_send_now_sends_and_opens_the_progress_page(staff_client, edition, newsletter):
    subscribers(newsletter, 3)

    response = post(staff_client, url("send", edition), {"action": "send", "confirm": "yes"})

    assert response.status_code == 302
    assert response["Location"] == url("progress", edition)
    assert len(mail.outbox) == 3
    page = staff_client.get(url("progress", edition)).content.decode()
    assert "<strong>Sent</strong>" in page
    assert 'value="3"' in page


def test_sending_to_nobody_is_refused_with_a_clear_message(staff_client, edition):
    response = post(staff_client, url("send", edition), {"action": "send", "confirm": "yes"})

    assert response.status_code == 400
    assert "No one would receive this edition" in response.text
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT


def test_sending_twice_from_the_admin_is_refused(staff_client, edition, newsletter):
    subscribers(newsletter, 1)
    post(staff_client, url("send", edition), {"action": "send", "confirm": "yes"})

    response = post(staff_client, url("send", edition), {"action": "send", "confirm": "yes"})

    assert "already been sent" in response.text
    assert len(mail.outbox) == 1


def test_schedule_from_the_admin_with_a_bad_date_says_so(staff_client, edition, newsletter):
    subscribers(newsletter, 1)

    response = post(
        staff_client, url("send", edition), {"action": "schedule", "date": "soon", "time": "09:00"}
    )

    assert response.status_code == 400
    assert "Enter a real date" in response.text
    assert 'value="soon"' in response.text and 'value="09:00"' in response.text
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT


def test_schedule_from_the_admin_sets_the_time_in_the_site_s_time_zone(
    staff_client, edition, newsletter
):
    subscribers(newsletter, 1)

    response = post(
        staff_client,
        url("send", edition),
        {"action": "schedule", "date": "2030-07-01", "time": "09:30"},
    )

    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SCHEDULED
    assert timezone.localtime(edition.scheduled_at).strftime("%Y-%m-%d %H:%M") == (
        "2030-07-01 09:30"
    )
    assert "Scheduled for 1 July 2030, 09:30." in staff_client.get(response["Location"]).text


def test_schedule_in_the_hour_the_clocks_go_back_says_so(staff_client, edition, newsletter):
    data = {"action": "schedule", "date": "2030-10-27", "time": "01:30"}

    response = post(staff_client, url("send", edition), data)

    assert response.status_code == 400
    assert "On 27 October 2030 the clocks go back, so 01:30 happens twice" in response.text
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT


def test_schedule_without_a_time_says_what_is_missing_and_keeps_the_date(
    staff_client, edition, newsletter
):
    response = post(
        staff_client, url("send", edition), {"action": "schedule", "date": "2030-05-20"}
    )

    assert response.status_code == 400
    assert "Enter time" in response.text
    assert 'value="2030-05-20"' in response.text


def test_send_now_asks_for_the_confirmation_tick_and_sends_nothing_without_it(
    staff_client, edition, newsletter
):
    subscribers(newsletter, 2)

    response = post(staff_client, url("send", edition), {"action": "send"})

    assert response.status_code == 400
    assert "Tick the box to confirm" in response.text
    assert len(mail.outbox) == 0
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT


def test_progress_page_refreshes_itself_and_offers_pause_and_cancel_while_sending(
    staff_client, edition, newsletter
):
    subscribers(newsletter, 2)
    with TestCase.captureOnCommitCallbacks(execute=False):
        staff_client.post(url("send", edition), {"action": "send", "confirm": "yes"})

    page = staff_client.get(url("progress", edition)).content.decode()

    assert '<meta http-equiv="refresh"' in page
    assert 'value="Pause"' in page
    assert 'value="Cancel the rest"' in page
    assert "Remaining</th><td>2<" in page


def test_the_progress_page_s_refresh_can_be_stopped_and_stays_stopped_after_pausing(
    staff_client, edition, newsletter
):
    subscribers(newsletter, 2)
    with TestCase.captureOnCommitCallbacks(execute=False):
        staff_client.post(url("send", edition), {"action": "send", "confirm": "yes"})
    stopped = url("progress", edition) + "?refresh=off"

    page = staff_client.get(stopped).content.decode()
    paused = post(staff_client, stopped, {"action": "pause"})

    assert '<meta http-equiv="refresh"' not in page
    assert '<a href="?">refresh every 5 seconds</a>' in page
    assert paused.url == stopped


def test_pause_then_resume_from_the_progress_page(staff_client, edition, newsletter):
    subscribers(newsletter, 2)
    with TestCase.captureOnCommitCallbacks(execute=False):
        staff_client.post(url("send", edition), {"action": "send", "confirm": "yes"})

    post(staff_client, url("progress", edition), {"action": "pause"})
    edition.refresh_from_db()
    assert edition.status == Edition.Status.PAUSED
    assert 'value="Resume"' in staff_client.get(url("progress", edition)).content.decode()

    post(staff_client, url("progress", edition), {"action": "resume"})
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT
    assert len(mail.outbox) == 2


def test_cancel_from_the_progress_page(staff_client, edition, newsletter):
    subscribers(newsletter, 2)
    with TestCase.captureOnCommitCallbacks(execute=False):
        staff_client.post(url("send", edition), {"action": "send", "confirm": "yes"})

    post(staff_client, url("progress", edition), {"action": "cancel"})

    edition.refresh_from_db()
    assert edition.status == Edition.Status.CANCELLED
    assert mail.outbox == []


def test_sent_edition_can_no_longer_be_edited(staff_client, edition, newsletter):
    subscribers(newsletter, 1)
    post(staff_client, url("send", edition), {"action": "send", "confirm": "yes"})

    page = staff_client.get(reverse("admin:newsletter_edition_change", args=[edition.pk]))

    assert 'name="subject"' not in page.content.decode()


def test_staff_without_the_members_list_see_a_subscribers_account_as_its_address(
    client, registered
):
    subscriber = SubscriberFactory(user=registered, email=registered.email)
    team = roles.with_two_factor(UserFactory(email="newsletter.team@example.org", is_staff=True))
    team.groups.add(group_with_permissions("Newsletter team", ["newsletter"]))
    client.force_login(team)

    response = client.get(reverse("admin:newsletter_subscriber_change", args=[subscriber.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert registered.email in html
    assert reverse("admin:members_user_changelist") not in html


def _threads_picker(client, term: str):
    return client.get(
        reverse("admin:autocomplete"),
        {"app_label": "newsletter", "model_name": "section", "field_name": "threads",
         "term": term},
    )  # fmt: skip


def test_an_editor_picks_visible_threads_for_forum_highlights_and_reads_no_forum_admin(
    client, editor
):
    from forum.models import ThreadState
    from tests.forum.factories import thread_with_posts

    shown = thread_with_posts(posts=1, title="Staying Close: first year lessons")
    thread_with_posts(posts=1, title="Staying Close: a hidden thread", state=ThreadState.HIDDEN)
    client.force_login(editor)

    found = _threads_picker(client, "staying")

    assert found.status_code == 200
    assert [row["id"] for row in found.json()["results"]] == [str(shown.pk)]
    assert client.get(reverse("admin:forum_thread_changelist")).status_code == 403
    other_picker = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "forum", "model_name": "thread", "field_name": "merged_into", "term": "s"},
    )
    assert other_picker.status_code == 403


def add_edition(client, newsletter, **fields):
    data = {
        "newsletter": newsletter.pk,
        "subject": "Winter briefing",
        "sections-TOTAL_FORMS": "0",
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
        **fields,
    }
    return client.post(reverse("admin:newsletter_edition_add"), data)


def test_a_new_edition_asks_who_may_read_it_on_the_website(staff_client, newsletter):
    page = staff_client.get(reverse("admin:newsletter_edition_add")).content.decode()
    refused = add_edition(staff_client, newsletter)

    assert 'name="archive_access"' in page
    assert not re.search(r'name="archive_access"[^>]*checked', page)
    assert "Choose who may read this edition on the website" in refused.content.decode()
    assert "Winter briefing" in refused.content.decode()
    assert not Edition.objects.exists()


def test_a_new_edition_keeps_the_archive_access_chosen(staff_client, newsletter):
    response = add_edition(staff_client, newsletter, archive_access="members")

    assert response.status_code == 302
    assert Edition.objects.get().archive_access == Edition.ArchiveAccess.MEMBERS


def commissioners_thread():
    room = CategoryFactory(
        name="Commissioners' room",
        slug="commissioners-room",
        providers_may_read=False,
        policy_may_read=False,
    )
    return ThreadFactory(category=room, title="Block contracts and sufficiency duties")


def with_forum_highlights(thread, **fields) -> dict:
    return {
        "sections-TOTAL_FORMS": "1",
        "sections-0-order": "0",
        "sections-0-kind": "forum",
        "sections-0-title": "From the forum",
        "sections-0-threads": [str(thread.pk)],
        "sections-0-events_count": "0",
        **fields,
    }


def test_forum_highlights_refuse_a_thread_of_a_room_kept_to_one_member_type(
    staff_client, newsletter
):
    thread = commissioners_thread()

    response = add_edition(
        staff_client, newsletter, archive_access="members", **with_forum_highlights(thread)
    )

    page = response.content.decode()
    assert "is in Commissioners&#x27; room, which only commissioners may read" in page
    assert "Winter briefing" in page
    assert not Edition.objects.exists()


def test_a_commissioners_newsletter_with_a_members_archive_may_feature_their_room(staff_client):
    briefing = NewsletterFactory(restricted_to=MemberType.COMMISSIONER)
    thread = commissioners_thread()

    response = add_edition(
        staff_client, briefing, archive_access="members", **with_forum_highlights(thread)
    )

    assert response.status_code == 302
    assert list(Edition.objects.get().sections.get().threads.all()) == [thread]


def test_sending_refuses_a_thread_whose_room_was_closed_after_it_was_picked(
    staff_client, edition, newsletter
):
    subscribers(newsletter, 2)
    thread = ThreadFactory(title="Block contracts and sufficiency duties")
    SectionFactory(edition=edition, kind="forum").threads.add(thread)
    Category.objects.filter(pk=thread.category_id).update(providers_may_read=False)

    response = post(staff_client, url("send", edition), {"action": "send", "confirm": "on"})

    assert "which only commissioners and policy makers and others may read" in response.text
    assert not Delivery.objects.exists()


def test_the_resources_an_editor_picks_for_a_section_are_kept(staff_client, newsletter):
    first, second = ResourceFactory(), ResourceFactory()

    add_edition(
        staff_client,
        newsletter,
        archive_access="public",
        **{
            "sections-TOTAL_FORMS": "1",
            "sections-0-order": "0",
            "sections-0-kind": "resources",
            "sections-0-resources": [str(first.pk), str(second.pk)],
            "sections-0-events_count": "0",
        },
    )

    section = Edition.objects.get().sections.get()
    assert set(section.resources.all()) == {first, second}
