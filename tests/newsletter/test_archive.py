"""The web archive of sent editions, public or members-only, and the account page panel."""

import os

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import Thread
from members.models import MemberType, SubscriptionStatus
from newsletter.models import Edition, Section
from practice_library.models import Resource, ResourceStatus
from tests.forum.factories import CategoryFactory, ThreadFactory
from tests.members.factories import SubscriptionFactory, TopicFactory
from tests.newsletter.factories import (
    EditionFactory,
    NewsletterFactory,
    SectionFactory,
    SubscriberFactory,
)
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def sent(**fields) -> Edition:
    return EditionFactory(status=Edition.Status.SENT, finished_at=timezone.now(), **fields)


def test_archive_lists_sent_editions_only(client):
    done = sent(subject="November: Staying Close")
    EditionFactory(subject="Draft for December")

    response = client.get(reverse("newsletter:archive"))

    html = response.content.decode()
    assert response.status_code == 200
    assert done.subject in html
    assert "Draft for December" not in html


def test_archive_page_of_a_draft_is_not_found(client):
    draft = EditionFactory()

    assert client.get(reverse("newsletter:edition", args=[draft.pk])).status_code == 404


def test_public_edition_opens_for_everyone(client):
    edition = sent(subject="Inspection: what leadership means")

    response = client.get(reverse("newsletter:edition", args=[edition.pk]))

    assert response.status_code == 200
    assert edition.subject in response.content.decode()


def test_members_only_edition_asks_visitors_to_sign_in(client):
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS)

    response = client.get(reverse("newsletter:edition", args=[edition.pk]))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ["registered", "lapsed"])
def test_members_only_edition_is_closed_to_non_members(client, request, role):
    client.force_login(request.getfixturevalue(role))
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS)

    response = client.get(reverse("newsletter:edition", args=[edition.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("role", ["provider_member", "commissioner_member", "editor"])
def test_members_only_edition_opens_for_members_and_editors(client, request, role):
    client.force_login(request.getfixturevalue(role))
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS, subject="For members")

    response = client.get(reverse("newsletter:edition", args=[edition.pk]))

    assert response.status_code == 200
    assert "For members" in response.content.decode()


@pytest.mark.parametrize("role", ["provider_member", "policy_member", "self_typed_member"])
def test_members_only_edition_of_a_commissioners_newsletter_is_closed_to_other_types(
    client, request, role
):
    briefing = NewsletterFactory(restricted_to=MemberType.COMMISSIONER)
    edition = sent(newsletter=briefing, archive_access=Edition.ArchiveAccess.MEMBERS)
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("newsletter:edition", args=[edition.pk]))

    assert response.status_code == 403
    assert "This edition is for commissioner members" in response.content.decode()


def test_members_only_edition_of_a_commissioners_newsletter_opens_for_commissioners(
    client, commissioner_member
):
    briefing = NewsletterFactory(restricted_to=MemberType.COMMISSIONER)
    edition = sent(newsletter=briefing, archive_access=Edition.ArchiveAccess.MEMBERS)
    client.force_login(commissioner_member)

    assert client.get(reverse("newsletter:edition", args=[edition.pk])).status_code == 200


def test_public_edition_of_a_commissioners_newsletter_stays_public(client):
    briefing = NewsletterFactory(restricted_to=MemberType.COMMISSIONER)
    edition = sent(newsletter=briefing, archive_access=Edition.ArchiveAccess.PUBLIC)

    assert client.get(reverse("newsletter:edition", args=[edition.pk])).status_code == 200


def test_archive_list_has_constant_queries(client, django_assert_max_num_queries):
    for _ in range(15):
        sent(newsletter=NewsletterFactory())

    with django_assert_max_num_queries(4):
        client.get(reverse("newsletter:archive"))


def archive_html(client) -> str:
    return client.get(reverse("newsletter:archive")).content.decode()


def test_archive_lists_a_members_only_edition_to_visitors_with_sign_in_not_as_a_link(client):
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS, subject="Winter briefing")

    html = archive_html(client)

    assert "Winter briefing" in html
    assert f'href="{edition.get_absolute_url()}"' not in html
    assert "Sign in to read" in html


def test_archive_offers_a_registered_person_the_way_to_join_for_a_members_only_edition(
    client, registered
):
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS)
    client.force_login(registered)

    html = archive_html(client)

    assert f'href="{edition.get_absolute_url()}"' not in html
    assert "Join the network to read" in html


def test_archive_offers_a_lapsed_member_renewal_for_a_members_only_edition(client, lapsed):
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS)
    client.force_login(lapsed)

    html = archive_html(client)

    assert f'href="{edition.get_absolute_url()}"' not in html
    assert "Renew your membership to read" in html


def test_archive_asks_a_member_whose_membership_owes_a_payment_to_pay_not_renew(client):
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS)
    person = SubscriptionFactory(status=SubscriptionStatus.UNPAID).user
    client.force_login(person)

    html = archive_html(client)

    assert f'href="{edition.get_absolute_url()}"' not in html
    assert "Pay for your membership to read" in html
    assert "Renew your membership" not in html


def test_archive_tells_a_member_of_another_type_whom_an_edition_is_for(client, provider_member):
    briefing = NewsletterFactory(restricted_to=MemberType.COMMISSIONER)
    edition = sent(newsletter=briefing, archive_access=Edition.ArchiveAccess.MEMBERS)
    client.force_login(provider_member)

    html = archive_html(client)

    assert f'href="{edition.get_absolute_url()}"' not in html
    assert "for commissioner members" in html


def test_archive_links_a_member_to_a_members_only_edition(client, provider_member):
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS)
    client.force_login(provider_member)

    assert f'href="{edition.get_absolute_url()}"' in archive_html(client)


def test_newsletter_page_lists_an_edition_for_another_type_without_a_link(client, provider_member):
    briefing = NewsletterFactory(restricted_to=MemberType.COMMISSIONER)
    edition = sent(newsletter=briefing, archive_access=Edition.ArchiveAccess.MEMBERS)
    client.force_login(provider_member)

    html = client.get(reverse("newsletter:index")).content.decode()

    assert f'href="{edition.get_absolute_url()}"' not in html
    assert "for commissioner members" in html


def test_newsletter_page_offers_a_visitor_sign_in_for_a_members_only_edition(client):
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS, subject="Winter briefing")

    html = client.get(reverse("newsletter:index")).content.decode()

    assert "Winter briefing" in html
    assert f'href="{edition.get_absolute_url()}"' not in html
    assert "Sign in to read" in html


def test_newsletter_page_links_a_member_to_a_members_only_edition(client, provider_member):
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS)
    client.force_login(provider_member)

    html = client.get(reverse("newsletter:index")).content.decode()

    assert f'href="{edition.get_absolute_url()}"' in html


def test_members_only_edition_explains_itself_and_offers_joining_to_a_registered_person(
    client, registered
):
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS, subject="Winter pressures")
    client.force_login(registered)

    response = client.get(reverse("newsletter:edition", args=[edition.pk]))

    assert response.status_code == 403
    assert "Winter pressures" in response.content.decode()
    assert "Join the network" in response.content.decode()


def test_members_only_edition_offers_renewal_to_a_lapsed_member(client, lapsed):
    edition = sent(archive_access=Edition.ArchiveAccess.MEMBERS)
    client.force_login(lapsed)

    response = client.get(reverse("newsletter:edition", args=[edition.pk]))

    assert response.status_code == 403
    assert "Renew your membership" in response.content.decode()


def test_archive_list_for_a_lapsed_member_has_constant_queries(
    client, lapsed, django_assert_max_num_queries
):
    for _ in range(15):
        sent(newsletter=NewsletterFactory(), archive_access=Edition.ArchiveAccess.MEMBERS)
    client.force_login(lapsed)

    # Signed-in overhead (session, user, groups, membership) plus the way in, once.
    with django_assert_max_num_queries(14):
        assert "Renew your membership to read" in archive_html(client)


def test_account_page_shows_what_the_person_receives(client, registered, newsletter):
    subscriber = SubscriberFactory(
        email=registered.email, user=registered, newsletters=[newsletter], weekly_digest=True
    )
    subscriber.topics.set([TopicFactory(name="Safeguarding")])
    client.force_login(registered)

    response = client.get(reverse("members:account"))

    html = response.content.decode()
    assert "Newsletter and digests" in html
    assert newsletter.name in html
    assert "Weekly" in html
    assert "Safeguarding" in html
    assert reverse("newsletter:index") in html


def test_account_page_says_when_the_person_receives_nothing(client, registered):
    client.force_login(registered)

    html = client.get(reverse("members:account")).content.decode()

    assert "You receive no newsletters or digests." in html


def test_demo_content_has_a_newsletter_and_sent_editions_in_the_archive(client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - twice: no change

    response = client.get(reverse("newsletter:archive"))

    html = response.content.decode()
    assert "Staying Close, one year on" in html
    assert "Preparing for inspection without the panic" in html
    assert "Workforce: keeping good people" not in html  # the draft
    assert Edition.objects.filter(subject="Staying Close, one year on").count() == 1
    edition = Edition.objects.get(subject="Staying Close, one year on")
    page = client.get(reverse("newsletter:edition", args=[edition.pk])).content.decode()
    assert "Staying Close: " in page or "staying-close-explained" in page


def test_archive_page_leaves_out_a_section_whose_resources_were_all_withdrawn(client):
    resource = ResourceFactory(title="Staying close: the first steps")
    edition = sent(subject="December briefing")
    section = SectionFactory(
        edition=edition, kind=Section.Kind.RESOURCES, title="New in the library", body=""
    )
    section.resources.add(resource)
    Resource.objects.filter(pk=resource.pk).update(status=ResourceStatus.ARCHIVED)

    html = client.get(reverse("newsletter:edition", args=[edition.pk])).content.decode()

    assert "December briefing" in html
    assert "New in the library" not in html
    assert "Staying close: the first steps" not in html


def test_archive_page_keeps_a_section_with_a_resource_still_published(client):
    edition = sent(subject="December briefing")
    section = SectionFactory(
        edition=edition, kind=Section.Kind.RESOURCES, title="New in the library", body=""
    )
    section.resources.add(ResourceFactory(title="Staying close: the first steps"))

    html = client.get(reverse("newsletter:edition", args=[edition.pk])).content.decode()

    assert "New in the library" in html
    assert "Staying close: the first steps" in html


def test_web_version_stops_naming_a_thread_moved_into_a_room_kept_to_one_member_type(client):
    thread = ThreadFactory(title="Block contracts and sufficiency duties")
    edition = sent(subject="Winter briefing")
    SectionFactory(edition=edition, kind=Section.Kind.FORUM, title="From the forum").threads.add(
        thread
    )
    room = CategoryFactory(providers_may_read=False, policy_may_read=False)
    # A moderator moves the thread after the edition went out.
    Thread.objects.filter(pk=thread.pk).update(category=room)

    html = client.get(reverse("newsletter:edition", args=[edition.pk])).content.decode()

    assert "Winter briefing" in html
    assert "Block contracts and sufficiency duties" not in html
