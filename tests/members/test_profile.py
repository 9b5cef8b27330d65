import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from members.models import MemberType, Region, User
from tests import roles
from tests.members.factories import TopicFactory, UserFactory


@pytest.mark.django_db
def test_member_edits_their_profile(client, registered):
    topic = TopicFactory(name="Staying Close")
    client.force_login(registered)

    response = client.post(
        reverse("members:profile"),
        {
            "name": "Grace Lewis",
            "job_title": "Deputy manager",
            "organisation_name": "Harbour Lights Homes (fictional)",
            "member_type": MemberType.PROVIDER,
            "region": Region.NORTH_EAST,
            "topics": [topic.pk],
        },
    )

    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.job_title == "Deputy manager"
    assert registered.region == Region.NORTH_EAST
    assert list(registered.topics.all()) == [topic]


@pytest.mark.django_db
def test_profile_form_with_errors_keeps_what_was_typed(client, registered):
    client.force_login(registered)

    response = client.post(
        reverse("members:profile"),
        {"name": "", "job_title": "Deputy manager", "region": "atlantis"},
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert 'value="Deputy manager"' in text
    registered.refresh_from_db()
    assert registered.job_title != "Deputy manager"


@pytest.mark.django_db
def test_the_profile_speaks_to_the_person_about_their_name(client, registered):
    client.force_login(registered)

    text = client.get(reverse("members:profile")).content.decode()

    assert "How you are named on the site" in text
    assert "the person" not in text


@pytest.mark.django_db
def test_profile_offers_the_nine_regions_of_england(client, registered):
    client.force_login(registered)

    response = client.get(reverse("members:profile"))

    assert len(Region.choices) == 9
    for _, label in Region.choices:
        assert label in response.content.decode()


@pytest.mark.django_db
def test_staff_can_edit_a_profile_in_the_admin(client, staff, registered):
    client.force_login(staff)

    response = client.get(reverse("admin:members_user_change", args=[registered.pk]))

    assert response.status_code == 200
    assert "job_title" in response.content.decode()
    assert "Access" in response.content.decode()


@pytest.mark.django_db
def test_a_profile_name_of_invisible_characters_is_refused_and_the_rest_kept(client, registered):
    client.force_login(registered)

    response = client.post(
        reverse("members:profile"), {"name": "\u200b\u200b", "job_title": "Deputy manager"}
    )

    assert response.status_code == 200
    assert "Enter your name" in response.content.decode()
    assert 'value="Deputy manager"' in response.content.decode()


@pytest.mark.django_db
def test_a_job_title_and_organisation_are_kept_without_characters_that_turn_text_around(
    client, registered
):
    client.force_login(registered)

    client.post(
        reverse("members:profile"),
        {
            "name": "Grace Lewis",
            "job_title": "\u202eRotaredom\u200b  forum",
            "organisation_name": "Harbour Lights\u2066 Homes\u2069",
            "region": Region.NORTH_EAST,
        },
    )

    registered.refresh_from_db()
    assert registered.job_title == "Rotaredom forum"
    assert registered.organisation_name == "Harbour Lights Homes"


@pytest.mark.django_db
def test_a_sign_up_name_is_kept_without_characters_that_turn_text_around(client):
    password = "a-long-password-for-testing-2026"
    client.post(
        reverse("account_signup"),
        {
            "name": "\u202eGrace Lewis",
            "email": "grace@example.org",
            "password1": password,
            "password2": password,
        },
    )

    assert User.objects.get(email="grace@example.org").name == "Grace Lewis"


@pytest.mark.django_db
def test_staff_who_may_edit_people_cannot_make_themselves_superuser(client):
    clerk = roles.with_two_factor(UserFactory(email="clerk@example.org", is_staff=True))
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client.force_login(clerk)

    client.post(
        reverse("admin:members_user_change", args=[clerk.pk]),
        {
            "email": clerk.email,
            "name": clerk.name,
            "job_title": "Membership officer",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "seats-TOTAL_FORMS": "0",
            "seats-INITIAL_FORMS": "0",
        },
    )

    clerk.refresh_from_db()
    assert clerk.job_title == "Membership officer"  # the form was saved
    assert not clerk.is_superuser
    assert not clerk.user_permissions.filter(codename="delete_user").exists()


def _make(client, person, *statuses):
    """Tick `statuses` ("is_staff", "is_superuser") on the person's admin page and save."""
    return client.post(
        reverse("admin:members_user_change", args=[person.pk]),
        {
            "email": person.email,
            "name": person.name,
            "is_active": "on",
            **dict.fromkeys(statuses, "on"),
            "seats-TOTAL_FORMS": "0",
            "seats-INITIAL_FORMS": "0",
        },
    )


def _make_staff(client, person):
    return _make(client, person, "is_staff")


REFUSAL = (
    "Sam Carter (new.officer@example.org) cannot be made {role} yet: they must turn on "
    "two-factor authentication from their account page first (Your account &gt; "
    "Two-factor authentication)"
)


@pytest.mark.django_db
def test_an_account_without_two_factor_is_not_made_staff(staff_client):
    person = UserFactory(name="Sam Carter", email="new.officer@example.org")

    response = _make_staff(staff_client, person)

    assert response.status_code == 200
    assert REFUSAL.format(role="staff") in response.content.decode()
    person.refresh_from_db()
    assert not person.is_staff


@pytest.mark.django_db
def test_an_account_without_two_factor_is_not_made_a_superuser(staff_client):
    person = UserFactory(name="Sam Carter", email="new.officer@example.org")

    response = _make(staff_client, person, "is_superuser")

    assert response.status_code == 200
    assert REFUSAL.format(role="a superuser") in response.content.decode()
    person.refresh_from_db()
    assert not person.is_superuser


@pytest.mark.django_db
def test_staff_without_two_factor_are_not_made_superusers(staff_client):
    # Made staff before the rule, or from the command line.
    person = UserFactory(name="Sam Carter", email="new.officer@example.org", is_staff=True)

    response = _make(staff_client, person, "is_staff", "is_superuser")

    assert REFUSAL.format(role="a superuser") in response.content.decode()
    person.refresh_from_db()
    assert (person.is_staff, person.is_superuser) == (True, False)


@pytest.mark.django_db
def test_an_account_with_two_factor_is_made_a_superuser(staff_client):
    person = roles.with_two_factor(UserFactory(email="new.officer@example.org"))

    response = _make(staff_client, person, "is_staff", "is_superuser")

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.is_staff, person.is_superuser) == (True, True)


@pytest.mark.django_db
def test_an_account_with_two_factor_is_made_staff(staff_client):
    person = roles.with_two_factor(UserFactory(email="new.officer@example.org"))

    _make_staff(staff_client, person)

    person.refresh_from_db()
    assert person.is_staff
