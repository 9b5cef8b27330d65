"""Editors curate events; who registered, with the access and dietary needs they gave, is
for the staff who organise events. Editors see each event's numbers instead."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from members.access import EDITORS_GROUP
from tests import roles
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

NEEDS = "Step-free access, please; I use a wheelchair."


@pytest.fixture
def event():
    """Two of three places taken (one of them by someone with needs), one person waiting."""
    event = EventFactory(title="Positive behaviour support", capacity=3)
    Registration.objects.create(
        event=event,
        user=UserFactory(email="ruth.kaye@example.org"),
        status="confirmed",
        place=1,
        name="Ruth Kaye",
        needs=NEEDS,
    )
    Registration.objects.create(
        event=event, user=UserFactory(), status="confirmed", place=2, name="Sam Okafor"
    )
    Registration.objects.create(
        event=event,
        user=UserFactory(),
        status="waiting",
        name="Ali Khan",
        waiting_since=timezone.now() - timedelta(days=1),
    )
    return event


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def organiser_client(client):
    """Staff who organise events: not superusers, given the events' permissions."""
    organisers = Group.objects.create(name="Event organisers")
    organisers.permissions.set(Permission.objects.filter(content_type__app_label="events"))
    organiser = roles.with_two_factor(UserFactory(email="organiser@example.org", is_staff=True))
    organiser.groups.add(organisers)
    client.force_login(organiser)
    return client


def _change(event) -> str:
    return reverse("admin:events_event_change", args=[event.pk])


def test_editors_are_refused_the_registrations_and_the_needs_in_them(editor_client, event):
    registration = event.registrations.get(name="Ruth Kaye")

    listing = editor_client.get(reverse("admin:events_registration_changelist"))
    one = editor_client.get(reverse("admin:events_registration_change", args=[registration.pk]))

    assert listing.status_code == 403
    assert one.status_code == 403


def test_editors_cannot_export_the_registrations(editor_client, event):
    response = editor_client.post(
        reverse("admin:events_registration_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(event.registrations.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 403


def test_editors_are_refused_the_attendance_register_which_names_everyone(editor_client, event):
    response = editor_client.get(reverse("admin:events_event_register", args=[event.pk]))

    assert response.status_code == 403


def test_editors_see_an_events_places_and_waiting_list_as_numbers(editor_client, event):
    page = editor_client.get(_change(event)).content.decode()

    assert "2 of 3 taken; 1 person on the waiting list." in page
    assert "Ruth Kaye" not in page and NEEDS not in page
    assert reverse("admin:events_registration_changelist") not in page
    assert reverse("admin:events_event_register", args=[event.pk]) not in page
    assert reverse("admin:events_event_message", args=[event.pk]) in page


def test_the_events_list_shows_editors_the_numbers_without_a_way_to_the_registrations(
    editor_client, event
):
    page = editor_client.get(reverse("admin:events_event_changelist")).content.decode()

    assert '<td class="field-places">2 of 3 taken, 1 waiting</td>' in page
    assert reverse("admin:events_registration_changelist") not in page


def test_the_events_list_shows_event_organisers_the_numbers_with_the_registrations(
    organiser_client, event
):
    page = organiser_client.get(reverse("admin:events_event_changelist")).content.decode()

    registrations = reverse("admin:events_registration_changelist")
    assert (
        '<td class="field-places_and_registrations">2 of 3 taken, 1 waiting<br>'
        f'<a href="{registrations}?event__id__exact={event.pk}">Registrations</a></td>'
    ) in page


def test_event_organisers_see_registrations_with_the_needs_given(organiser_client, event):
    registration = event.registrations.get(name="Ruth Kaye")

    page = organiser_client.get(
        reverse("admin:events_registration_change", args=[registration.pk])
    ).content.decode()
    event_page = organiser_client.get(_change(event)).content.decode()
    register = organiser_client.get(reverse("admin:events_event_register", args=[event.pk]))

    assert NEEDS in page
    assert reverse("admin:events_registration_changelist") in event_page
    assert register.status_code == 200 and "ruth.kaye@example.org" in register.content.decode()


def test_the_event_in_the_admin_says_who_sees_registrations_and_needs(editor_client, event):
    page = editor_client.get(_change(event)).content.decode()

    assert "Who registered, and the access and dietary needs they gave, are seen only by " in page
    assert "the network's event organisers (staff who may see registrations)" in page


def test_the_registration_form_says_only_the_event_organisers_see_the_needs(client, person):
    event = EventFactory()
    client.force_login(person)

    page = client.get(event.get_absolute_url()).content.decode()

    assert "Only the network&#x27;s event organisers see this" in page


def test_an_existing_editors_group_loses_registrations_and_subscribers_but_keeps_events():
    group = Group.objects.create(name=EDITORS_GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["events", "newsletter"])
    )
    migration = import_module("members.migrations.0025_editors_see_no_registrations_or_subscribers")

    migration.editors_lose_personal_data(apps, None)

    kept = set(group.permissions.values_list("content_type__model", flat=True))
    assert {"registration", "notice", "subscriber", "consent", "delivery"} & kept == set()
    assert "digestdelivery" not in kept
    assert {"event", "speaker", "eventmessage", "edition", "section"} <= kept
