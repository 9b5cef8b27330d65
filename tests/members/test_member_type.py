"""The member type that decides access comes from the membership, never from a form the
member fills in; members ask staff for a change (MemberTypeChangeRequest)."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from forum import access as forum_access
from forum.services import posting, publishing
from members import access, tasks, type_changes
from members.models import MembershipGrant, MemberType, MemberTypeChangeRequest, User
from newsletter import tokens
from newsletter.models import Newsletter, Subscriber
from tests.forum.factories import CategoryFactory
from tests.members.factories import (
    GrantFactory,
    OrganisationFactory,
    UserFactory,
    organisation_with_seats,
)

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def commissioners_thread(commissioner_member):
    """A thread with an attachment in a room only commissioners read and post in."""
    room = CategoryFactory(
        name="Commissioners' room",
        slug="commissioners-room",
        providers_may_read=False,
        providers_may_post=False,
        policy_may_read=False,
        policy_may_post=False,
    )
    post = posting.thread_create(
        author=commissioner_member,
        category=room,
        title="Framework renewal: what we changed",
        body="Notes from the regional group.",
        attachments=[SimpleUploadedFile("notes.csv", b"a,b\n1,2\n", content_type="text/csv")],
        confirmed_child_safety=True,
    )
    if post.state != "visible":
        publishing.post_publish(post=post, actor=None)
    return post.thread


def commissioners_urls(thread) -> list[str]:
    return [
        reverse("forum:category", kwargs={"slug": thread.category.slug}),
        reverse("forum:thread", kwargs={"pk": thread.pk, "slug": thread.slug}),
        reverse("forum:reply", kwargs={"pk": thread.pk}),
        reverse("forum:attachment", kwargs={"pk": thread.posts.get().attachments.get().pk}),
    ]


PROFILE = {"name": "Sam Ward", "job_title": "Researcher", "region": "london"}


# --- The hole: a member choosing their own type ------------------------------------------


def test_grant_member_who_sets_commissioner_in_their_profile_cannot_open_the_commissioners_room(
    client, commissioners_thread
):
    # A grant with the factory's defaults (before grants carried a type, it had none).
    grant = GrantFactory(user=UserFactory(member_type=MemberType.POLICY))
    client.force_login(grant.user)

    client.post(reverse("members:profile"), {**PROFILE, "member_type": MemberType.COMMISSIONER})

    for url in commissioners_urls(commissioners_thread):
        assert client.get(url).status_code == 404, url
    assert access.member_type(fresh(grant.user)) == MemberType.POLICY


def test_what_a_member_wrote_as_their_work_opens_no_room(commissioners_thread):
    grant = GrantFactory(
        user=UserFactory(member_type=MemberType.COMMISSIONER), member_type=MemberType.POLICY
    )
    user = fresh(grant.user)

    assert not forum_access.can_read_category(user, commissioners_thread.category)
    assert not forum_access.can_post_in_category(user, commissioners_thread.category)
    assert user not in User.objects.filter(
        forum_access.category_readers_q(commissioners_thread.category)
    )


def test_profile_form_of_a_member_has_no_member_type_field(client, policy_member):
    client.force_login(policy_member)

    response = client.get(reverse("members:profile"))

    assert "member_type" not in response.context["form"].fields


def test_registered_person_may_say_what_work_they_do_and_it_opens_nothing(
    client, registered, commissioners_thread
):
    client.force_login(registered)

    client.post(reverse("members:profile"), {**PROFILE, "member_type": MemberType.COMMISSIONER})

    assert fresh(registered).member_type == MemberType.COMMISSIONER
    assert access.member_type(fresh(registered)) is None
    for url in commissioners_urls(commissioners_thread):
        assert client.get(url).status_code == 404, url


# --- Extra POST fields change nothing ------------------------------------------------------


def test_profile_ignores_fields_nobody_may_set_for_themselves(client, policy_member):
    other = OrganisationFactory()
    client.force_login(policy_member)
    before = access.roles(fresh(policy_member))

    response = client.post(
        reverse("members:profile"),
        {
            **PROFILE,
            "member_type": MemberType.COMMISSIONER,
            "is_staff": "on",
            "is_superuser": "on",
            "is_active": "on",
            "email": "someone.else@example.org",
            "groups": "1",
            "organisation": other.pk,
            "seats": other.pk,
            "plan": "1",
        },
    )

    assert response.status_code == 302
    user = fresh(policy_member)
    assert (user.is_staff, user.is_superuser, user.email) == (False, False, "policy@example.org")
    assert user.member_type == MemberType.POLICY
    assert not user.groups.exists()
    assert not user.seats.exists()
    assert access.roles(user) == before
    assert access.member_type(user) == MemberType.POLICY
    assert user.job_title == "Researcher"


def test_organisation_admin_cannot_change_the_organisations_type_or_seats_by_extra_fields(
    client,
):
    organisation, admin = organisation_with_seats(seats=3, org_type=MemberType.PROVIDER)
    client.force_login(admin)
    kwargs = {"slug": organisation.slug}

    client.post(
        reverse("members:invitation_create", kwargs=kwargs),
        {"email": "new.colleague@example.org", "org_type": MemberType.COMMISSIONER, "seats": 50},
    )
    client.post(
        reverse("members:domain_verify", kwargs=kwargs),
        {"domain": "example.org", "org_type": MemberType.COMMISSIONER, "member_type": "x"},
    )

    organisation.refresh_from_db()
    assert organisation.org_type == MemberType.PROVIDER
    assert access.organisation_seats(organisation) == 3
    assert access.member_type(fresh(admin)) == MemberType.PROVIDER


def test_member_cannot_subscribe_to_the_commissioners_newsletter_by_posting_its_id(
    client, self_typed_member
):
    briefing = Newsletter.objects.create(
        name="Commissioners' briefing", slug="briefing", restricted_to=MemberType.COMMISSIONER
    )
    client.force_login(self_typed_member)

    response = client.post(
        reverse("newsletter:index"),
        {
            "newsletters": [briefing.pk],
            "weekly_digest": "on",
            "consent": "on",
            "member_type": MemberType.COMMISSIONER,
            "restricted_to": "",
        },
    )

    assert response.status_code == 400
    assert not Subscriber.objects.filter(newsletters=briefing).exists()
    briefing.refresh_from_db()
    assert briefing.restricted_to == MemberType.COMMISSIONER


def test_preferences_link_ignores_a_restricted_newsletter_and_fields_of_the_subscriber(
    client, policy_member
):
    briefing = Newsletter.objects.create(
        name="Commissioners' briefing", slug="briefing", restricted_to=MemberType.COMMISSIONER
    )
    subscriber = Subscriber.objects.create(
        email=policy_member.email, user=policy_member, state=Subscriber.State.SUBSCRIBED
    )
    token = tokens.subscriber_token(subscriber, purpose=tokens.PREFERENCES)

    response = client.post(
        reverse("newsletter:preferences", args=[token]),
        {
            "newsletters": [briefing.pk],
            "daily_digest": "on",
            "email": "other@example.org",
            "user": "1",
            "state": "subscribed",
        },
    )

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert (subscriber.email, subscriber.user_id) == (policy_member.email, policy_member.pk)
    assert not subscriber.newsletters.exists()
    assert not subscriber.daily_digest


# --- Asking for a change -------------------------------------------------------------------


def ask(client, user, requested_type=MemberType.COMMISSIONER, reason="I moved to commissioning."):
    client.force_login(user)
    return client.post(
        reverse("members:type_change_request"),
        {"requested_type": requested_type, "reason": reason},
    )


def test_member_asks_for_a_change_and_the_membership_team_gets_a_link_to_the_admin(
    client, policy_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, policy_member)

    assert response.status_code == 302
    change_request = MemberTypeChangeRequest.objects.get()
    assert (change_request.current_type, change_request.requested_type) == (
        MemberType.POLICY,
        MemberType.COMMISSIONER,
    )
    assert change_request.status == MemberTypeChangeRequest.Status.PENDING
    assert access.member_type(fresh(policy_member)) == MemberType.POLICY
    [email] = mail.outbox
    assert email.to == settings.STAFF_NOTIFICATION_EMAILS
    admin_path = reverse("admin:members_membertypechangerequest_change", args=[change_request.pk])
    assert f"{settings.SITE_URL}{admin_path}" in email.body
    assert "I moved to commissioning." in email.body
    assert change_request.__class__.objects.get().staff_notified_at is not None


def test_account_page_shows_the_member_type_and_the_waiting_request(client, policy_member):
    ask(client, policy_member)

    text = client.get(reverse("members:account")).content.decode()

    assert "Member type: <strong>Policy maker or other</strong>" in text
    assert "Waiting for the membership team" in text


def test_second_request_while_one_waits_is_refused(client, policy_member):
    ask(client, policy_member)

    response = ask(client, policy_member, MemberType.PROVIDER)

    assert response.status_code == 200
    assert "has not decided yet" in response.content.decode()
    assert MemberTypeChangeRequest.objects.count() == 1
    with pytest.raises(ValidationError, match="already have a request waiting"):
        type_changes.type_change_request_create(
            user=fresh(policy_member), requested_type=MemberType.PROVIDER, reason="Again."
        )


def test_request_without_a_reason_is_refused_and_keeps_the_choice(client, policy_member):
    response = ask(client, policy_member, reason="")

    assert response.status_code == 400
    assert 'value="commissioner" selected' in response.content.decode()
    assert not MemberTypeChangeRequest.objects.exists()


def test_registered_person_has_no_type_to_change(client, registered):
    response = ask(client, registered)

    assert response.status_code == 403
    assert not MemberTypeChangeRequest.objects.exists()


def test_approving_changes_the_persons_own_grant_and_opens_the_room(
    client, policy_member, staff, commissioners_thread
):
    ask(client, policy_member)

    type_changes.type_change_request_approve(
        change_request=MemberTypeChangeRequest.objects.get(), approved_by=staff
    )

    assert MembershipGrant.objects.get(user=policy_member).member_type == MemberType.COMMISSIONER
    assert access.member_type(fresh(policy_member)) == MemberType.COMMISSIONER
    url = commissioners_urls(commissioners_thread)[0]
    assert client.get(url).status_code == 200
    assert MemberTypeChangeRequest.objects.get().status == "approved"


def test_approving_a_seat_holders_request_is_refused_with_what_to_do(
    client, commissioner_member, staff
):
    ask(client, commissioner_member, MemberType.PROVIDER)

    with pytest.raises(ValidationError, match="comes from their organisation"):
        type_changes.type_change_request_approve(
            change_request=MemberTypeChangeRequest.objects.get(), approved_by=staff
        )

    assert access.member_type(fresh(commissioner_member)) == MemberType.COMMISSIONER
    assert MemberTypeChangeRequest.objects.get().status == "pending"


def test_rejected_request_shows_its_note_on_the_account_page(client, policy_member, staff):
    ask(client, policy_member)

    type_changes.type_change_request_reject(
        change_request=MemberTypeChangeRequest.objects.get(),
        rejected_by=staff,
        note="Your partnership covers research only.",
    )

    text = client.get(reverse("members:account")).content.decode()
    assert "Not approved" in text
    assert "Your partnership covers research only." in text
    assert access.member_type(fresh(policy_member)) == MemberType.POLICY


def test_the_member_is_emailed_an_approval_once(
    client, policy_member, staff, django_capture_on_commit_callbacks
):
    ask(client, policy_member)
    mail.outbox.clear()
    change_request = MemberTypeChangeRequest.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        type_changes.type_change_request_approve(change_request=change_request, approved_by=staff)
    tasks.type_change_decision_send(change_request.pk)  # delivered again: nothing more

    (message,) = mail.outbox
    assert message.to == [policy_member.email]
    assert message.subject == "Your member type has changed"
    assert "you are now a commissioner member" in message.body


def test_the_member_is_emailed_a_refusal_with_its_note(
    client, policy_member, staff, django_capture_on_commit_callbacks
):
    ask(client, policy_member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        type_changes.type_change_request_reject(
            change_request=MemberTypeChangeRequest.objects.get(),
            rejected_by=staff,
            note="Your partnership covers research only.",
        )

    (message,) = mail.outbox
    assert message.subject == "Your request to change member type"
    assert "Your partnership covers research only." in message.body
    assert MemberTypeChangeRequest.objects.get().decision_notified_at is not None


def test_staff_approve_from_the_admin_list(client, policy_member, staff):
    ask(client, policy_member)
    change_request = MemberTypeChangeRequest.objects.get()
    client.force_login(staff)

    page = client.get(
        reverse("admin:members_membertypechangerequest_change", args=[change_request.pk])
    )
    response = client.post(
        reverse("admin:members_membertypechangerequest_changelist"),
        {"action": "approve", "_selected_action": [change_request.pk], "confirmed": "yes"},
    )

    assert page.status_code == 200
    assert "from their own staff grant" in page.content.decode()
    assert response.status_code == 302
    assert access.member_type(fresh(policy_member)) == MemberType.COMMISSIONER


def test_approving_from_the_admin_list_asks_first(client, policy_member, staff):
    ask(client, policy_member)
    change_request = MemberTypeChangeRequest.objects.get()
    client.force_login(staff)

    response = client.post(
        reverse("admin:members_membertypechangerequest_changelist"),
        {"action": "approve", "_selected_action": [change_request.pk]},
    )

    assert "are you sure?" in response.content.decode()
    assert access.member_type(fresh(policy_member)) == MemberType.POLICY


# --- The migration -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_gives_empty_grants_the_least_privileged_type_or_their_organisations():
    before = [("members", "0004_merge_billing_and_organisations")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    try:
        person = old.get_model("members", "User").objects.create(email="p@example.org")
        council = old.get_model("members", "Organisation").objects.create(
            name="Fictional Council", slug="fictional-council", org_type=MemberType.COMMISSIONER
        )
        grants = old.get_model("members", "MembershipGrant").objects
        today = timezone.localdate()
        common = {"ends_on": today, "starts_on": today, "reason": "partner"}
        personal = grants.create(user=person, member_type="", **common)
        for_council = grants.create(organisation=council, member_type="", **common)
        typed = grants.create(user=person, member_type=MemberType.PROVIDER, **common)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    types = dict(MembershipGrant.objects.values_list("pk", "member_type"))
    assert types[personal.pk] == MemberType.POLICY
    assert types[for_council.pk] == MemberType.COMMISSIONER
    assert types[typed.pk] == MemberType.PROVIDER
