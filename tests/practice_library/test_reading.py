"""Reading a resource: what each role sees, the monthly free reads of registered
non-members, and what the page shows (facts, links, Open Graph tags)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.access import AccessLevel
from practice_library.models import FreeRead, RecentRead, ResourceStatus
from tests.practice_library.factories import ResourceFactory, attach

pytestmark = pytest.mark.django_db


def local(*args: int) -> datetime:
    """An aware datetime in the site's time zone (Europe/London)."""
    return datetime(*args, tzinfo=timezone.get_current_timezone())


BODY_TEXT = "The full guidance for readers."


def members_only(**kwargs):
    return ResourceFactory(
        access_level=AccessLevel.MEMBERS,
        summary="The public teaser.",
        body=BODY_TEXT,
        **kwargs,
    )


def read(client, resource):
    return client.get(resource.get_absolute_url())


# --- What each role sees ---------------------------------------------------------------


@pytest.mark.parametrize("level", [AccessLevel.PUBLIC, AccessLevel.REGISTERED, AccessLevel.MEMBERS])
def test_everyone_sees_title_and_summary_of_every_resource(client, level):
    resource = ResourceFactory(access_level=level, summary="The public teaser.")

    response = read(client, resource)

    assert response.status_code == 200
    assert resource.title in response.content.decode()
    assert "The public teaser." in response.content.decode()


def test_visitor_reads_a_public_resource_in_full(client):
    resource = ResourceFactory(access_level=AccessLevel.PUBLIC, body=BODY_TEXT)

    assert BODY_TEXT in read(client, resource).content.decode()


def test_visitor_is_asked_to_sign_in_for_a_registered_resource(client):
    resource = ResourceFactory(access_level=AccessLevel.REGISTERED, body=BODY_TEXT)

    text = read(client, resource).content.decode()

    assert BODY_TEXT not in text
    assert "Sign in to read the rest" in text
    assert "Create a free account" in text


def test_visitor_is_invited_to_join_or_sign_in_for_a_members_resource(client, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 3
    resource = members_only()

    text = read(client, resource).content.decode()

    assert BODY_TEXT not in text
    assert "This resource is for members" in text
    assert "Join the network" in text
    assert "open 3 members-only resources a month" in text


def test_registered_user_reads_a_registered_resource_without_spending_a_free_read(
    client, registered
):
    resource = ResourceFactory(access_level=AccessLevel.REGISTERED, body=BODY_TEXT)
    client.force_login(registered)

    assert BODY_TEXT in read(client, resource).content.decode()
    assert not FreeRead.objects.exists()


@pytest.mark.parametrize(
    "role", ["provider_member", "commissioner_member", "policy_member", "moderator"]
)
def test_members_of_every_kind_read_members_resources_without_free_reads(client, request, role):
    resource = members_only()
    client.force_login(request.getfixturevalue(role))

    text = read(client, resource).content.decode()

    assert BODY_TEXT in text
    assert "free read" not in text
    assert not FreeRead.objects.exists()


@pytest.mark.parametrize("role", ["editor", "staff"])
def test_editors_and_staff_read_members_resources(client, request, role):
    resource = members_only()
    client.force_login(request.getfixturevalue(role))

    assert BODY_TEXT in read(client, resource).content.decode()


def test_lapsed_member_is_asked_to_renew_once_free_reads_are_used(client, lapsed, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 0
    resource = members_only()
    client.force_login(lapsed)

    text = read(client, resource).content.decode()

    assert BODY_TEXT not in text
    assert "Your membership has ended" in text
    assert "Renew your membership" in text


# --- Monthly free reads ----------------------------------------------------------------


def test_registered_user_opens_a_members_resource_with_a_free_read(client, registered, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 3
    resource = members_only()
    client.force_login(registered)

    text = read(client, resource).content.decode()

    assert BODY_TEXT in text
    assert "You have <strong>2 free reads left</strong> this month" in text
    assert FreeRead.objects.get().month == timezone.localdate().replace(day=1)


def test_free_reads_run_out_after_the_monthly_number(client, registered, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 2
    first, second, third = members_only(), members_only(), members_only()
    client.force_login(registered)

    read(client, first)
    last = read(client, second).content.decode()
    refused = read(client, third).content.decode()

    assert "You have <strong>0 free reads left</strong>" in last
    assert BODY_TEXT not in refused
    assert "You have used your 2 free reads" in refused
    assert "Become a member" in refused
    assert FreeRead.objects.count() == 2


def test_reading_the_same_resource_again_in_the_month_does_not_count_twice(
    client, registered, settings
):
    settings.LIBRARY_FREE_READS_PER_MONTH = 3
    resource = members_only()
    client.force_login(registered)

    read(client, resource)
    again = read(client, resource).content.decode()

    assert BODY_TEXT in again
    assert "<strong>2 free reads left</strong>" in again
    assert FreeRead.objects.count() == 1


def test_a_resource_opened_this_month_stays_open_when_free_reads_are_used_up(
    client, registered, settings
):
    settings.LIBRARY_FREE_READS_PER_MONTH = 1
    resource = members_only()
    client.force_login(registered)
    read(client, resource)

    assert BODY_TEXT in read(client, resource).content.decode()


def test_free_reads_start_again_in_a_new_calendar_month(client, registered, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 1
    published = local(2026, 1, 5, 9)
    first, second = members_only(published_at=published), members_only(published_at=published)
    client.force_login(registered)
    with time_machine.travel(local(2026, 3, 31, 22)):
        read(client, first)
        assert BODY_TEXT not in read(client, second).content.decode()

    with time_machine.travel(local(2026, 4, 1, 8)):
        assert BODY_TEXT in read(client, second).content.decode()


def test_number_of_free_reads_comes_from_the_setting(client, registered, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 5
    resource = members_only()
    client.force_login(registered)

    text = read(client, resource).content.decode()

    assert "one of your 5 free reads" in text
    assert "<strong>4 free reads left</strong>" in text


def test_visitors_do_not_spend_free_reads(client):
    resource = members_only()

    read(client, resource)

    assert not FreeRead.objects.exists()


def test_my_library_says_how_many_free_reads_are_left(client, registered, settings):
    settings.LIBRARY_FREE_READS_PER_MONTH = 3
    client.force_login(registered)
    read(client, members_only())

    response = client.get(reverse("practice_library:my_library"))

    assert "You have <strong>2 free reads</strong>" in response.content.decode()


# --- The page -----------------------------------------------------------------------------


def test_resource_page_shows_its_facts(client, safeguarding):
    resource = ResourceFactory(
        title="Missing from care protocol",
        source="Fictional Council",
        topics=[safeguarding],
        audiences=["provider", "commissioner"],
        reviewed_on=date(2025, 2, 1),
        review_due=date(2027, 2, 1),
    )

    text = read(client, resource).content.decode()

    assert "Practice guide" in text
    assert "Safeguarding" in text
    assert (
        "Provider, Commissioner" in text
        or "Providers, Commissioners" in text
        or ("Provider" in text and "Commissioner" in text)
    )
    assert "Fictional Council" in text
    assert "1 February 2025" in text  # reviewed on
    assert "February 2027" in text  # review due


def test_resource_body_markdown_is_rendered_and_sanitized(client):
    resource = ResourceFactory(body="## Steps\n\n**Plan** ahead. <script>alert(1)</script>")

    text = read(client, resource).content.decode()

    assert "<h2>Steps</h2>" in text
    assert "<strong>Plan</strong>" in text
    assert "<script>alert(1)</script>" not in text


def test_resource_page_lists_attachments_with_kind_and_size(client, member):
    resource = ResourceFactory(access_level=AccessLevel.MEMBERS)
    attach(resource, name="checklist.pdf", title="Inspection checklist")
    client.force_login(member)

    text = read(client, resource).content.decode()

    assert "Inspection checklist" in text
    assert "PDF," in text
    assert "KB" in text or "bytes" in text


def test_resource_page_links_related_resources_that_are_live(client):
    resource = ResourceFactory()
    live = ResourceFactory(title="Live related guide")
    draft = ResourceFactory(title="Draft related guide", status=ResourceStatus.DRAFT)
    resource.related.add(live, draft)

    text = read(client, resource).content.decode()

    assert "Live related guide" in text
    assert "Draft related guide" not in text


def test_resource_and_its_young_person_version_link_to_each_other(client):
    young = ResourceFactory(title="Staying Close: for young people")
    original = ResourceFactory(title="Staying Close explained", young_person_version=young)

    assert "Staying Close: for young people" in read(client, original).content.decode()
    assert "young-person-friendly version of" in read(client, young).content.decode()
    assert "Staying Close explained" in read(client, young).content.decode()


def test_resource_page_carries_open_graph_tags_and_a_canonical_link(client):
    resource = ResourceFactory(title="Staying Close explained", summary="Living nearby.")

    text = read(client, resource).content.decode()

    assert '<meta property="og:type" content="article">' in text
    assert '<meta property="og:title" content="Staying Close explained">' in text
    assert '<meta property="og:description" content="Living nearby.">' in text
    assert (
        f'<meta property="og:url" content="http://testserver{resource.get_absolute_url()}">' in text
    )
    assert f'<link rel="canonical" href="http://testserver{resource.get_absolute_url()}">' in text


def test_resource_page_has_a_clean_slug_address(client):
    resource = ResourceFactory(title="Getting value from Regulation 44 visits")

    assert resource.get_absolute_url() == "/library/getting-value-from-regulation-44-visits/"


@pytest.mark.parametrize(
    "changes",
    [
        {"status": ResourceStatus.DRAFT},
        {"status": ResourceStatus.REVIEW},
        {"status": ResourceStatus.ARCHIVED},
        {"published_at": None, "publish_at": timezone.now() + timedelta(days=3)},
    ],
    ids=["draft", "review", "archived", "scheduled"],
)
def test_resources_that_are_not_live_are_not_found_by_readers(client, member, changes):
    resource = ResourceFactory(**changes)
    client.force_login(member)

    assert read(client, resource).status_code == 404


def test_editor_sees_an_unpublished_resource_marked_as_such(client, editor):
    resource = ResourceFactory(status=ResourceStatus.DRAFT)
    client.force_login(editor)

    text = read(client, resource).content.decode()

    assert "Not published: draft" in text
    assert '<meta name="robots" content="noindex">' in text


def test_members_reads_are_kept_for_recently_read(client, member):
    resource = members_only()
    client.force_login(member)

    read(client, resource)

    assert RecentRead.objects.filter(user=member, resource=resource).exists()
