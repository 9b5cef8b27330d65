"""Every forum page where someone may read but not post says why and offers the next
step; the reason comes from forum.access (PostRefusal)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forum import access
from forum.access import PostRefusal
from forum.models import Post, Suspension
from members.models import SubscriptionStatus
from tests.forum.factories import held_thread, thread_with_posts
from tests.members.factories import UserFactory, organisation_with_seats


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def open_thread(open_room, member):
    return thread_with_posts(category=open_room, author=member, posts=2)


@pytest.fixture
def suspended(member, moderator):
    Suspension.objects.create(
        member=member,
        until=timezone.now() + timezone.timedelta(days=7),
        reason="Repeated personal remarks",
        created_by=moderator,
    )
    return member


@pytest.fixture
def seatless_colleague(db):
    """A person at the verified domain of an organisation with a membership, no seat."""
    organisation, _admin = organisation_with_seats(
        name="Fictional Care Partnership", verified_domain="fictional-care.example.org"
    )
    return UserFactory(email="new.starter@fictional-care.example.org")


# --- The reason, from forum.access -----------------------------------------------------------


def test_registered_person_is_refused_as_not_a_member(open_room, registered):
    assert access.post_refusal(registered, open_room) == PostRefusal.NOT_MEMBER


def test_lapsed_member_is_refused_as_lapsed(open_room, lapsed):
    assert access.post_refusal(lapsed, open_room) == PostRefusal.LAPSED


def test_person_at_a_member_organisation_without_a_seat_is_refused_for_want_of_a_seat(
    open_room, seatless_colleague
):
    assert access.post_refusal(seatless_colleague, open_room) == PostRefusal.NO_SEAT


def test_member_of_another_type_is_refused_as_other_type(commissioners_room, member):
    assert access.post_refusal(member, commissioners_room) == PostRefusal.OTHER_TYPE


def test_suspended_member_is_refused_as_suspended(room, suspended):
    assert access.post_refusal(suspended, room) == PostRefusal.SUSPENDED


def test_member_who_may_post_is_not_refused(room, member):
    assert access.post_refusal(member, room) is None


def test_member_is_refused_a_reply_to_a_locked_thread(room, member):
    thread = thread_with_posts(category=room, author=member, posts=1)
    thread.is_locked = True
    assert access.reply_refusal(member, thread) == PostRefusal.LOCKED


def test_moderator_is_not_refused_a_reply_to_a_locked_thread(room, member, moderator):
    thread = thread_with_posts(category=room, author=member, posts=1)
    thread.is_locked = True
    assert access.reply_refusal(moderator, thread) is None


def test_member_is_not_refused_anywhere_on_the_index(member):
    assert access.forum_refusal(member) is None


# --- What the pages say --------------------------------------------------------------------


def test_registered_person_on_a_thread_is_told_only_members_reply_and_how_to_join(
    client, registered, open_thread
):
    client.force_login(registered)
    html = page(client.get(open_thread.get_absolute_url()))
    assert "Only members post in the forum" in html
    assert 'href="/membership/"' in html
    assert "Post reply" not in html


def test_registered_person_on_a_category_is_told_why_they_cannot_start_a_thread(
    client, registered, open_room
):
    client.force_login(registered)
    html = page(client.get(open_room.get_absolute_url()))
    assert "Only members post in the forum" in html
    assert "Join the network" in html
    assert "Start a thread" not in html


def test_registered_person_on_the_index_sees_the_rooms_and_the_way_to_join(
    client, registered, open_room
):
    client.force_login(registered)
    html = page(client.get("/forum/"))
    assert open_room.name in html
    assert "Join the network" in html


def test_lapsed_member_on_the_index_with_rooms_open_to_them_is_offered_renewal(
    client, lapsed, open_room
):
    client.force_login(lapsed)
    html = page(client.get("/forum/"))
    assert open_room.name in html
    assert "Renew your membership" in html


def test_lapsed_member_on_a_thread_is_told_their_membership_ended_and_offered_renewal(
    client, lapsed, open_thread
):
    client.force_login(lapsed)
    html = page(client.get(open_thread.get_absolute_url()))
    assert "Your membership has ended" in html
    assert "Renew your membership" in html


def test_person_without_a_seat_is_told_to_ask_their_organisation_admin_by_name(
    client, seatless_colleague, open_thread
):
    client.force_login(seatless_colleague)
    html = page(client.get(open_thread.get_absolute_url()))
    assert "Your organisation has no seat for you" in html
    assert "Ask Fictional Care Partnership's admin for a seat" in html


def test_member_of_another_type_in_a_readable_room_is_told_it_is_for_other_types(
    client, commissioners_room, commissioner_member, member
):
    commissioners_room.providers_may_read = True
    commissioners_room.save()
    thread = thread_with_posts(category=commissioners_room, author=commissioner_member, posts=1)
    client.force_login(member)
    html = page(client.get(thread.get_absolute_url()))
    assert "This category is for other member types" in html
    assert "Ask to change your member type" in html


def test_suspended_member_on_a_thread_is_told_of_the_suspension_and_its_reason(
    client, suspended, room
):
    thread = thread_with_posts(category=room, author=suspended, posts=1)
    client.force_login(suspended)
    html = page(client.get(thread.get_absolute_url()))
    assert "You are suspended from posting" in html
    assert "Repeated personal remarks" in html


def test_suspended_member_on_a_thread_is_offered_the_report_link(
    client, suspended, room, second_member
):
    thread = thread_with_posts(category=room, author=second_member, posts=1)
    client.force_login(suspended)

    html = page(client.get(thread.get_absolute_url()))

    assert "You can still report a post to the moderators." in html
    assert f"/forum/post/{thread.posts.get().pk}/report/" in html


def test_suspended_member_reporting_is_told_the_post_stays_up_until_moderators_look(
    client, suspended, room, second_member
):
    post = thread_with_posts(category=room, author=second_member, posts=1).posts.get()
    client.force_login(suspended)

    html = page(client.get(f"/forum/post/{post.pk}/report/"))

    assert "it stays up until they have" in html
    assert "is hidden at once" not in html


def test_member_on_a_locked_thread_is_told_it_is_locked(client, room, member):
    thread = thread_with_posts(category=room, author=member, posts=1)
    thread.is_locked = True
    thread.save(update_fields=["is_locked"])
    client.force_login(member)
    html = page(client.get(thread.get_absolute_url()))
    assert "This thread is locked" in html
    assert "Post reply" not in html


def test_the_reply_page_of_a_locked_thread_offers_a_new_thread_not_a_form(client, room, member):
    thread = thread_with_posts(category=room, author=member, posts=1)
    thread.is_locked = True
    thread.save(update_fields=["is_locked"])
    client.force_login(member)

    html = page(client.get(f"/forum/t/{thread.pk}/reply/"))

    assert "This thread is locked" in html
    assert "Post reply" not in html
    assert f'href="/forum/c/{room.slug}/new/"' in html


def test_member_who_may_reply_sees_the_reply_form_and_no_refusal(client, room, member):
    thread = thread_with_posts(category=room, author=member, posts=1)
    client.force_login(member)
    html = page(client.get(thread.get_absolute_url()))
    assert "Post reply" in html
    assert "forum-refusal" not in html


def test_thread_page_for_a_lapsed_member_keeps_its_query_count(
    client, lapsed, open_room, member, django_assert_max_num_queries
):
    thread = thread_with_posts(category=open_room, author=member, posts=25)
    client.force_login(lapsed)
    with django_assert_max_num_queries(30) as counted:
        client.get(thread.get_absolute_url())
    more = thread_with_posts(category=open_room, author=member, posts=40)
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.get(more.get_absolute_url())


def test_category_page_for_a_person_without_a_seat_keeps_its_query_count(
    client, seatless_colleague, open_room, member, django_assert_max_num_queries
):
    thread_with_posts(category=open_room, author=member, posts=1)
    client.force_login(seatless_colleague)
    # A member's page, plus the organisation at their domain and its membership (once).
    with django_assert_max_num_queries(24):
        assert client.get(open_room.get_absolute_url()).status_code == 200


# --- A members' thread reached without a membership ------------------------------------------


@pytest.fixture
def members_thread(room, member):
    return thread_with_posts(category=room, author=member, posts=2, title="Rota ideas for winter")


def test_reading_refusal_names_what_would_open_a_members_thread(
    members_thread, registered, lapsed, seatless_colleague
):
    assert access.reading_refusal(registered, members_thread) == PostRefusal.NOT_MEMBER
    assert access.reading_refusal(lapsed, members_thread) == PostRefusal.LAPSED
    assert access.reading_refusal(seatless_colleague, members_thread) == PostRefusal.NO_SEAT


def test_reading_refusal_is_none_for_a_thread_the_person_may_read(members_thread, member):
    assert access.reading_refusal(member, members_thread) is None


def test_registered_person_on_a_members_thread_is_offered_membership_without_its_title(
    client, members_thread, registered
):
    client.force_login(registered)
    response = client.get(members_thread.get_absolute_url())
    assert response.status_code == 403
    html = page(response)
    assert "This conversation is for members" in html
    assert "Join the network" in html
    assert "Rota ideas" not in html and "Workforce and training" not in html


def test_lapsed_member_following_an_old_link_is_offered_renewal(client, members_thread, lapsed):
    client.force_login(lapsed)
    for url in (
        members_thread.get_absolute_url(),
        f"/forum/t/{members_thread.pk}/p/2/",
        f"/forum/t/{members_thread.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "Renew your membership" in page(response)
        assert "Rota ideas" not in page(response)


def test_person_without_a_seat_on_a_members_thread_is_told_to_ask_for_one_by_name(
    client, members_thread, seatless_colleague
):
    client.force_login(seatless_colleague)
    response = client.get(members_thread.get_absolute_url())
    assert response.status_code == 403
    assert "Ask Fictional Care Partnership's admin for a seat" in page(response)


def test_a_wrong_slug_reveals_nothing_to_a_non_member(client, members_thread, registered):
    client.force_login(registered)
    response = client.get(f"/forum/t/{members_thread.pk}/anything/")
    assert response.status_code == 403
    assert members_thread.slug not in page(response)


def test_a_room_for_some_member_types_only_stays_unknown_to_non_members(
    client, commissioners_room, commissioner_member, registered, lapsed, member
):
    thread = thread_with_posts(category=commissioners_room, author=commissioner_member, posts=1)
    for person in (registered, lapsed, member):
        client.force_login(person)
        assert client.get(thread.get_absolute_url()).status_code == 404


def test_a_held_thread_stays_unknown_to_non_members(client, room, registered):
    thread = held_thread(category=room).thread
    client.force_login(registered)
    assert client.get(f"/forum/t/{thread.pk}/").status_code == 404


def test_a_thread_that_does_not_exist_is_still_not_found(client, registered):
    client.force_login(registered)
    assert client.get("/forum/t/987654/").status_code == 404


# --- A refused post keeps what was typed ---------------------------------------------------


def test_reply_sent_after_the_membership_ended_is_shown_back_to_be_copied(
    client, members_thread, member
):
    client.force_login(member)
    member.subscriptions.update(status=SubscriptionStatus.CANCELED)
    response = client.post(
        f"/forum/t/{members_thread.pk}/reply/",
        {"body": "Our rota starts at 7 <b>sharp</b>; handovers take 30 minutes."},
    )
    assert response.status_code == 403
    html = page(response)
    assert "Renew your membership" in html
    assert "What you wrote has not been posted" in html
    assert "Our rota starts at 7 &lt;b&gt;sharp&lt;/b&gt;; handovers take 30 minutes." in html
    assert "Rota ideas" not in html


def test_new_thread_from_a_suspended_member_is_shown_back_with_its_title(client, room, suspended):
    client.force_login(suspended)
    response = client.post(
        f"/forum/c/{room.slug}/new/",
        {"title": "Night checks policy", "body": "How often do you check at night?"},
    )
    assert response.status_code == 403
    html = page(response)
    assert "Night checks policy</textarea>" in html
    assert "How often do you check at night?" in html


def test_a_refusal_reached_by_a_link_shows_nothing_written_back(client, members_thread, lapsed):
    client.force_login(lapsed)
    html = page(client.get(members_thread.get_absolute_url()))
    assert "has not been posted" not in html


def posted_past_the_edit_window(settings, room, member) -> Post:
    """A post by `member` written 61 minutes ago, with an edit window of 60."""
    settings.FORUM_EDIT_WINDOW_MINUTES = 60
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    return post


def test_edit_sent_after_the_window_closed_says_so_and_keeps_the_text(
    client, settings, room, member
):
    post = posted_past_the_edit_window(settings, room, member)
    client.force_login(member)
    response = client.post(f"/forum/post/{post.pk}/edit/", {"body": "Corrected: 8 shifts."})
    assert response.status_code == 403
    html = page(response)
    assert "Posts can be edited for 60 minutes after they are posted" in html
    assert "Corrected: 8 shifts." in html
    assert Post.objects.get(pk=post.pk).body != "Corrected: 8 shifts."


def test_an_author_too_late_to_edit_is_told_they_can_take_the_post_down_now(
    client, settings, room, member
):
    post = posted_past_the_edit_window(settings, room, member)
    client.force_login(member)

    html = page(client.get(f"/forum/post/{post.pk}/edit/"))

    assert "delete it yourself" in html


def test_suspended_author_asking_to_edit_is_told_of_the_suspension(client, room, suspended):
    post = thread_with_posts(posts=1, category=room, author=suspended).posts.get()
    client.force_login(suspended)
    response = client.get(f"/forum/post/{post.pk}/edit/")
    assert response.status_code == 403
    assert "Repeated personal remarks" in page(response)
