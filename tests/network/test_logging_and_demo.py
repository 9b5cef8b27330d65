import logging

import pytest
from django.core.management import CommandError, call_command
from django.test import modify_settings
from django.urls import reverse

from forum.models import Thread
from members import access
from members.models import Organisation, Plan, User
from network.management.commands.seed_demo import demo_modules
from network.models import Topic
from practice_library.models import Resource


@pytest.mark.django_db
def test_each_request_is_logged_on_one_line_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="network.requests"):
        response = client.get(reverse("about"), HTTP_X_REQUEST_ID="lb-1234567890")

    assert response.headers["X-Request-ID"] == "lb-1234567890"
    lines = [r.getMessage() for r in caplog.records if r.name == "network.requests"]
    assert lines == [lines[0]]  # exactly one line for the request
    assert "id=lb-1234567890 method=GET path=/about/ status=200" in lines[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "logged"),
    [
        (
            reverse("account_reset_password_from_key", kwargs={"uidb36": "2", "key": "c9k-4f1a"}),
            "path=/accounts/password/reset/key/2-<key>/ ",
        ),
        (
            reverse("newsletter:unsubscribe", args=["eyJzIjo0Mn0:1tX9:Qm3v"]),
            "path=/newsletter/unsubscribe/<token>/ ",
        ),
        (
            reverse("members:invitation", args=["Zq81Lm0x4Tt"]),
            "path=/account/invitations/<token>/ ",
        ),
    ],
)
def test_a_key_or_token_in_the_address_is_named_in_the_log_not_written(client, caplog, url, logged):
    with caplog.at_level(logging.INFO, logger="network.requests"):
        client.get(url)

    [line] = [r.getMessage() for r in caplog.records if r.name == "network.requests"]
    assert logged in line
    assert url not in line


@pytest.mark.django_db
def test_a_request_for_an_unknown_host_is_logged_but_not_emailed_to_the_team(
    client, caplog, mailoutbox
):
    # Scanners ask for the server's address under any name, many times a day; the log
    # still names the host, in case ALLOWED_HOSTS lacks one of the site's own names.
    logger = logging.getLogger("django.security.DisallowedHost")
    logger.addHandler(caplog.handler)
    try:
        response = client.get(reverse("about"), HTTP_HOST="scanner.example")
    finally:
        logger.removeHandler(caplog.handler)

    assert response.status_code == 400
    assert "Invalid HTTP_HOST header: 'scanner.example'" in caplog.text
    assert mailoutbox == []


@pytest.mark.django_db
def test_each_task_is_logged_on_one_line_with_its_id(caplog):
    from network.tasks import sessions_clear_expired

    with caplog.at_level(logging.INFO, logger="network.tasks"):
        sessions_clear_expired.apply()

    lines = [r.getMessage() for r in caplog.records if r.name == "network.tasks"]
    assert len(lines) == 1
    assert "name=network.tasks.sessions_clear_expired state=SUCCESS" in lines[0]


@pytest.mark.django_db
def test_demo_content_loads_twice_without_duplicates():
    call_command("seed_demo", verbosity=0)
    counts = (
        User.objects.count(),
        Plan.objects.count(),
        Organisation.objects.count(),
        Topic.objects.count(),
    )

    call_command("seed_demo", verbosity=0)

    assert counts == (
        User.objects.count(),
        Plan.objects.count(),
        Organisation.objects.count(),
        Topic.objects.count(),
    )
    assert Topic.objects.count() == 12


@pytest.mark.django_db
def test_naming_apps_loads_only_their_demo_content():
    call_command("seed_demo", "network", "members", verbosity=0)

    assert User.objects.filter(email="provider@example.org").exists()
    assert Topic.objects.count() == 12
    assert not Resource.objects.exists() and not Thread.objects.exists()


@pytest.mark.django_db
def test_naming_an_app_without_demo_content_says_which_have_some():
    with pytest.raises(CommandError, match="No demo content in accounts; apps with some: events"):
        call_command("seed_demo", "network", "accounts", verbosity=0)


@pytest.mark.django_db
def test_demo_logins_cover_every_role():
    call_command("seed_demo", verbosity=0)

    def roles(email):
        return access.roles(User.objects.get(email=email))

    assert access.Role.STAFF in roles("staff@example.org")
    assert access.Role.EDITOR in roles("editor@example.org")
    assert access.Role.MODERATOR in roles("moderator@example.org")
    assert access.member_type(User.objects.get(email="provider@example.org")) == "provider"
    assert access.member_type(User.objects.get(email="commissioner@example.org")) == "commissioner"
    assert access.member_type(User.objects.get(email="policy@example.org")) == "policy"
    assert access.Role.ORG_ADMIN in roles("orgadmin@example.org")
    assert roles("lapsed@example.org") == {access.Role.LAPSED}
    assert roles("registered@example.org") == {access.Role.REGISTERED}


@pytest.mark.django_db
def test_demo_logins_work_with_the_printed_password(client):
    from members.demo import DEMO_PASSWORD

    call_command("seed_demo", verbosity=0)

    response = client.post(
        reverse("account_login"), {"login": "provider@example.org", "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert client.get(reverse("members:account")).status_code == 200


def test_demo_content_seeds_in_the_order_of_installed_apps_with_later_apps_last():
    with modify_settings(INSTALLED_APPS={"append": "tests.network.later_app"}):
        names = [module.__name__ for module in demo_modules()]

    assert names == [
        "network.demo",
        "members.demo",
        "practice_library.demo",
        "forum.demo",
        "events.demo",
        "newsletter.demo",
        "sector_data.demo",
        "insight.demo",
        "tests.network.later_app.demo",
    ]


@pytest.mark.django_db
def test_demo_content_loads_again_after_a_demo_person_deleted_their_account():
    from members import data_rights
    from members.models import DataRequest

    call_command("seed_demo", verbosity=0)
    # The commissioner holds the first place of an event someone else also registered for.
    commissioner = User.objects.get(email="commissioner@example.org")
    data_rights.account_erase(
        data_request=DataRequest.objects.create(user=commissioner, kind=DataRequest.Kind.ERASURE)
    )

    call_command("seed_demo", verbosity=0)

    assert User.objects.filter(email="commissioner@example.org").exists()


@pytest.mark.django_db
def test_the_demo_editor_edits_topics_but_does_not_read_contact_messages():
    call_command("seed_demo", "network", "members", verbosity=0)
    editor = User.objects.get(email="editor@example.org")

    assert editor.has_perm("network.change_topic")
    assert not editor.has_perm("network.view_contactmessage")
