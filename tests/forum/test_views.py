"""The forum's pages through HTTP: listings, threads, writing, errors, files, search."""

import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from forum import search
from forum.models import (
    AttachmentApproval,
    ForumPreference,
    ModerationAction,
    ModerationActionKind,
    Post,
    PostAttachment,
    PostState,
    Thread,
    ThreadReadState,
    ThreadState,
)
from forum.moderation import actions
from forum.moderation.threads import thread_merge
from forum.services import posting, publishing, reactions, reading
from members.models import SubscriptionStatus
from tests.forum.factories import member_of_type, thread_with_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(member, second_member, third_member):
    for person in (member, second_member, third_member):
        ForumPreference.objects.update_or_create(
            user=person, defaults={"child_safety_confirmed_at": timezone.now()}
        )


def page(response) -> str:
    return response.content.decode()


# --- Listings ---------------------------------------------------------------------------


def test_index_lists_readable_categories_with_counts_and_latest_activity(
    client, room, commissioners_room, member
):
    thread_with_posts(category=room, author=member, posts=3, title="Supervision that helps")
    thread_with_posts(posts=1, category=commissioners_room, author=member, title="Fee uplift 2026")
    client.force_login(member)
    html = page(client.get("/forum/"))
    assert "Workforce and training" in html
    assert "Supervision that helps" in html
    assert ">3<" in html.replace(" ", "")
    assert "Commissioners" not in html and "Fee uplift" not in html


def test_index_for_lapsed_member_offers_renewal(client, room, lapsed):
    client.force_login(lapsed)
    assert "Renew your membership" in page(client.get("/forum/"))


def test_category_lists_pinned_first_then_latest_activity(client, room, member):
    old_pinned = thread_with_posts(posts=1, category=room, author=member, title="House rules")
    old_pinned.is_pinned = True
    old_pinned.save()
    thread_with_posts(posts=1,
        category=room, author=member, title="Older news",
        created=timezone.now() - timezone.timedelta(days=3),
    )  # fmt: skip
    thread_with_posts(posts=1, category=room, author=member, title="Fresh question")
    client.force_login(member)
    html = page(client.get(f"/forum/c/{room.slug}/"))
    assert html.index("House rules") < html.index("Fresh question") < html.index("Older news")


def test_category_page_shows_unread_markers(client, room, member, second_member):
    thread = thread_with_posts(category=room, author=member, posts=3, title="Partly read")
    reading.thread_mark_read(user=second_member, thread=thread, up_to=1)
    client.force_login(second_member)
    html = page(client.get(f"/forum/c/{room.slug}/"))
    assert f'href="/forum/t/{thread.pk}/unread/"' in html
    assert "Unread" in html


def test_category_page_queries_do_not_grow_with_threads(
    client, room, member, django_assert_max_num_queries
):
    for _ in range(3):
        thread_with_posts(category=room, author=member, posts=2)
    client.force_login(member)
    client.get(f"/forum/c/{room.slug}/")
    with django_assert_max_num_queries(14) as few:
        client.get(f"/forum/c/{room.slug}/")
    for _ in range(25):
        thread_with_posts(category=room, author=member, posts=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/forum/c/{room.slug}/")


def test_index_queries_are_constant(client, room, open_room, member, django_assert_max_num_queries):
    client.force_login(member)
    # Whether a suspension is in force is asked too: the index explains it to a suspended
    # member.
    with django_assert_max_num_queries(14):
        assert client.get("/forum/").status_code == 200


# --- Threads -------------------------------------------------------------------------------


def test_thread_pages_hold_twenty_posts_with_anchors(client, room, member):
    thread = thread_with_posts(category=room, author=member, posts=45)
    client.force_login(member)
    first = page(client.get(thread.get_absolute_url()))
    last = page(client.get(f"{thread.get_absolute_url()}?page=3"))
    assert first.count('class="forum-post"') == 20
    assert 'id="post-1"' in first and 'id="post-21"' not in first
    assert last.count('class="forum-post"') == 5 and 'id="post-45"' in last
    assert "Page 3 of 3" in last


def test_post_link_goes_to_its_page_and_anchor(client, room, member):
    thread = thread_with_posts(category=room, author=member, posts=45)
    client.force_login(member)
    response = client.get(f"/forum/t/{thread.pk}/p/41/")
    assert response.url == f"{thread.get_absolute_url()}?page=3#post-41"


def test_thread_page_shows_which_posts_the_member_found_helpful_and_bookmarked(
    client, room, member, second_member
):
    thread = thread_with_posts(category=room, author=member, posts=3)
    first, second, third = thread.posts.order_by("post_number")
    reactions.reaction_toggle(user=second_member, post=first)
    reactions.bookmark_toggle(user=second_member, post=second)
    client.force_login(second_member)
    html = page(client.get(thread.get_absolute_url()))
    articles = html.split('<article class="forum-post"')[1:]
    assert 'aria-pressed="true"' in articles[0] and "Remove bookmark" not in articles[0]
    assert 'aria-pressed="false"' in articles[1] and "Remove bookmark" in articles[1]
    assert 'aria-pressed="false"' in articles[2] and "Remove bookmark" not in articles[2]


def test_thread_page_shows_no_one_elses_helpful_marks_or_bookmarks_as_the_readers(
    client, room, member, second_member, third_member
):
    thread = thread_with_posts(category=room, author=member, posts=2)
    first = thread.posts.get(post_number=1)
    reactions.reaction_toggle(user=third_member, post=first)
    reactions.bookmark_toggle(user=third_member, post=first)
    client.force_login(second_member)
    html = page(client.get(thread.get_absolute_url()))
    first_article = html.split('<article class="forum-post"')[1]
    assert 'aria-pressed="false"' in first_article and "Remove bookmark" not in first_article


@pytest.mark.parametrize("page_number", [1, "last"])
def test_thread_page_queries_are_the_same_for_short_and_long_threads(
    client, room, member, second_member, confirmed, django_assert_max_num_queries, page_number
):
    short = thread_with_posts(category=room, author=member, authors=[member, second_member],
                              posts=25)  # fmt: skip
    long = thread_with_posts(category=room, author=member, authors=[member, second_member],
                             posts=250)  # fmt: skip
    client.force_login(second_member)

    def url(thread):
        last = (thread.post_number_counter + 19) // 20
        return f"{thread.get_absolute_url()}?page={1 if page_number == 1 else last}"

    client.get(url(short))
    client.get(url(long))
    # The member's helpful marks, bookmarks, read pointer and follow come with the posts
    # and the thread: 9 queries measured.
    with django_assert_max_num_queries(10) as counted:
        client.get(url(short))
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.get(url(long))


def _follow_button(client, thread) -> str:
    html = page(client.get(thread.get_absolute_url()))
    return "Stop following" if "Stop following" in html else "Follow this thread"


def test_thread_page_offers_to_stop_following_a_thread_followed(client, room, member):
    thread = thread_with_posts(category=room, author=member, posts=2)
    client.force_login(member)
    assert _follow_button(client, thread) == "Follow this thread"
    reading.thread_follow(user=member, thread=thread)
    assert _follow_button(client, thread) == "Stop following"


def test_thread_page_counts_a_followed_category_as_following(client, room, member, second_member):
    thread = thread_with_posts(category=room, author=member, posts=2)
    reading.category_follow(user=second_member, category=room)
    client.force_login(second_member)
    assert _follow_button(client, thread) == "Stop following"


def test_thread_page_of_a_muted_thread_offers_to_follow_despite_its_category(
    client, room, member, second_member
):
    thread = thread_with_posts(category=room, author=member, posts=2)
    reading.category_follow(user=second_member, category=room)
    reading.thread_unfollow(user=second_member, thread=thread)
    client.force_login(second_member)
    assert _follow_button(client, thread) == "Follow this thread"


def test_reading_a_page_moves_the_read_pointer_and_first_unread_jumps(
    client, room, member, second_member
):
    thread = thread_with_posts(category=room, author=member, posts=30)
    client.force_login(second_member)
    client.get(thread.get_absolute_url())
    response = client.get(f"/forum/t/{thread.pk}/unread/")
    assert response.url == f"{thread.get_absolute_url()}?page=2#post-21"


def test_rereading_a_page_sends_no_write_for_the_read_pointer(client, room, member, second_member):
    thread = thread_with_posts(category=room, author=member, posts=30)
    client.force_login(second_member)
    client.get(thread.get_absolute_url())
    with CaptureQueriesContext(connection) as first_again:
        client.get(thread.get_absolute_url())
    with CaptureQueriesContext(connection) as second_page:
        client.get(f"{thread.get_absolute_url()}?page=2")

    def writes(captured):
        return [q["sql"] for q in captured if "forum_threadreadstate (" in q["sql"]]

    assert writes(first_again) == []
    assert len(writes(second_page)) == 1
    assert (
        ThreadReadState.objects.get(user=second_member, thread=thread).last_read_post_number == 30
    )


def test_thread_in_an_unreadable_category_is_404_without_its_title(
    client, commissioners_room, provider_member, commissioner_member
):
    thread = thread_with_posts(
        posts=1,
        category=commissioners_room,
        author=commissioner_member,
        title="Confidential fee talks",
    )
    client.force_login(provider_member)
    for url in (
        thread.get_absolute_url(),
        f"/forum/t/{thread.pk}/p/1/",
        f"/forum/t/{thread.pk}/reply/",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "Confidential fee talks" not in page(response)


def test_lapsed_member_loses_the_members_room_at_once(client, room, member):
    thread = thread_with_posts(posts=1, category=room, author=member, title="Rota ideas")
    client.force_login(member)
    assert client.get(thread.get_absolute_url()).status_code == 200
    member.subscriptions.update(status=SubscriptionStatus.CANCELED)
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 403
    assert "Rota ideas" not in page(response)


def test_editing_someone_elses_post_is_403_without_the_title(client, room, member, second_member):
    post = thread_with_posts(
        posts=1, category=room, author=member, title="Night staffing"
    ).posts.get()
    client.force_login(second_member)
    response = client.get(f"/forum/post/{post.pk}/edit/")
    assert response.status_code == 403
    assert "Night staffing" not in page(response)


def test_a_moderator_editing_a_members_post_on_its_edit_page_must_give_a_reason(
    client, room, member, moderator
):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    client.force_login(moderator)
    response = client.post(
        f"/forum/post/{post.pk}/edit/", {"body": "Names taken out.", "reason": ""}
    )
    assert response.status_code == 400
    assert "Give a reason: readers see it under the post." in page(response)
    assert "Names taken out." in page(response)  # what was typed is kept


def test_a_moderator_edit_on_the_edit_page_is_the_logged_moderator_edit(
    client, room, member, moderator
):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    client.force_login(moderator)
    response = client.post(
        f"/forum/post/{post.pk}/edit/",
        {"body": "Names taken out.", "reason": "Removed a surname"},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Names taken out."
    assert post.edit_reason == "Removed a surname"
    assert post.revisions.get().reason == "Removed a surname"
    entry = ModerationAction.objects.get(post=post)
    assert (entry.action, entry.actor) == (ModerationActionKind.EDIT, moderator)


def edit_page_opened(client, room, member):
    """A member's new post, and the fingerprint its edit page was opened with."""
    post = thread_with_posts(
        posts=1, category=room, author=member, created=timezone.now()
    ).posts.get()
    client.force_login(member)
    opened = page(client.get(f"/forum/post/{post.pk}/edit/"))
    return post, re.search(r'name="based_on" value="([^"]+)"', opened)[1]


def test_an_edit_from_a_page_opened_before_a_moderator_edit_does_not_undo_it(
    client, room, member, moderator
):
    post, based_on = edit_page_opened(client, room, member)
    actions.post_moderator_edit(
        actor=moderator, post=post, body="Names taken out.", reason="Removed a surname"
    )

    response = client.post(
        f"/forum/post/{post.pk}/edit/", {"body": "My post, one word changed.", "based_on": based_on}
    )

    assert response.status_code == 403
    assert "only moderators may change it now" in page(response)
    assert "My post, one word changed." in page(response)  # kept, to copy from
    post.refresh_from_db()
    assert post.body == "Names taken out."


def test_an_edit_from_a_page_opened_before_the_author_saved_in_another_window_is_refused(
    client, room, member
):
    post, based_on = edit_page_opened(client, room, member)
    client.post(f"/forum/post/{post.pk}/edit/", {"body": "Saved from the other window."})

    response = client.post(
        f"/forum/post/{post.pk}/edit/", {"body": "From the older window.", "based_on": based_on}
    )

    assert response.status_code == 400
    assert "changed after you opened it" in page(response)
    assert "From the older window." in page(response)
    post.refresh_from_db()
    assert post.body == "Saved from the other window."


def test_held_post_shows_awaiting_review_to_its_author_only(
    settings, client, room, member, second_member, confirmed
):
    thread = thread_with_posts(category=room, author=member, posts=1)
    settings.FORUM_NEW_MEMBER_HELD_POSTS = 5
    posting.post_reply(author=second_member, thread=thread, body="My first words here.")
    client.force_login(second_member)
    assert "Awaiting review" in page(client.get(thread.get_absolute_url()))
    client.force_login(member)
    assert "My first words here" not in page(client.get(thread.get_absolute_url()))


def test_removed_post_leaves_removed_in_the_thread(client, room, member, second_member, confirmed):
    thread = thread_with_posts(category=room, author=member, posts=1)
    post = posting.post_reply(author=second_member, thread=thread, body="Posted by mistake.")
    client.force_login(second_member)
    client.post(f"/forum/post/{post.pk}/delete/")
    html = page(client.get(thread.get_absolute_url()))
    assert "removed by its author" in html and "Posted by mistake" not in html


def test_deleting_one_s_post_asks_first(client, room, member, second_member, confirmed):
    thread = thread_with_posts(category=room, author=member, posts=1)
    post = posting.post_reply(author=second_member, thread=thread, body="Posted by mistake.")
    client.force_login(second_member)

    html = page(client.get(thread.get_absolute_url()))

    form = re.search(rf'<form[^>]*action="/forum/post/{post.pk}/delete/"[^>]*>', html)
    assert form and "data-confirm=" in form.group(0)


def test_a_post_s_address_in_a_merged_thread_leads_to_the_post_where_it_is_now(
    client, room, member, moderator
):
    into = thread_with_posts(category=room, posts=3)
    merged = thread_with_posts(category=room, posts=2)
    thread_merge(actor=moderator, thread=merged, into=into)
    client.force_login(member)

    response = client.get(f"/forum/t/{merged.pk}/p/2/")

    assert response.status_code == 302
    assert response["Location"] == f"{into.get_absolute_url()}?page=1#post-5"


# --- Writing -----------------------------------------------------------------------------


def test_member_starts_a_thread_and_lands_on_it(client, room, member, confirmed):
    client.force_login(member)
    response = client.post(
        f"/forum/c/{room.slug}/new/",
        {"title": "Induction week plans", "body": "Ours is **five** days.",
         "submission_key": str(uuid.uuid4())},
    )  # fmt: skip
    thread = Thread.objects.get()
    assert response.url == f"/forum/t/{thread.pk}/p/1/"
    assert "<strong>five</strong>" in thread.posts.get().body_html


def test_first_post_form_asks_for_the_child_safety_confirmation(client, room, member):
    client.force_login(member)
    form = page(client.get(f"/forum/c/{room.slug}/new/"))
    assert "does not identify a child" in form
    response = client.post(
        f"/forum/c/{room.slug}/new/", {"title": "Induction week", "body": "Five days."}
    )
    assert response.status_code == 400
    assert "Please confirm" in page(response)
    assert "Five days." in page(response)


def test_preview_shows_the_rendered_post_without_saving(client, room, member, confirmed):
    client.force_login(member)
    response = client.post(
        f"/forum/c/{room.slug}/new/",
        {"title": "Induction week", "body": "A *quick* <script>x</script> note", "preview": "1"},
    )
    html = page(response)
    assert "<em>quick</em>" in html
    assert "<script>x</script>" not in html
    assert Thread.objects.count() == 0


def test_reply_to_a_locked_thread_keeps_what_was_typed(client, room, member, second_member,
                                                       confirmed):  # fmt: skip
    thread = thread_with_posts(posts=1, category=room, author=member)
    thread.is_locked = True
    thread.save()
    client.force_login(second_member)
    response = client.post(f"/forum/t/{thread.pk}/reply/", {"body": "My careful answer."})
    assert response.status_code == 400
    assert "locked" in page(response) and "My careful answer." in page(response)


def test_blocked_post_shows_the_patterns_message_and_keeps_the_text(
    client, room, member, second_member, confirmed
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(second_member)
    response = client.post(f"/forum/t/{thread.pk}/reply/", {"body": "NHS no 943 476 5919 ok"})
    assert response.status_code == 400
    assert "looks like an NHS number" in page(response)
    assert "943 476 5919" in page(response)
    assert 'id="id_body_error"' in page(response)


def test_a_refused_reply_says_error_first_in_the_page_title(
    client, room, member, second_member, confirmed
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(second_member)

    response = client.post(f"/forum/t/{thread.pk}/reply/", {"body": " "})

    assert "<title>Error: Reply to" in page(response)


def test_double_click_posts_once(client, room, member, second_member, confirmed):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(second_member)
    data = {"body": "Thanks for this.", "submission_key": str(uuid.uuid4())}
    first = client.post(f"/forum/t/{thread.pk}/reply/", data)
    second = client.post(f"/forum/t/{thread.pk}/reply/", data)
    assert first.url == second.url
    assert Post.objects.filter(thread=thread).count() == 2


def test_quote_prefills_the_reply_with_a_link_to_the_post(client, room, member, second_member):
    thread = thread_with_posts(category=room, author=member, posts=2)
    client.force_login(second_member)
    html = page(client.get(f"/forum/t/{thread.pk}/reply/?quote=2"))
    assert f"[wrote](/forum/t/{thread.pk}/p/2/)" in html
    assert "&gt; Post 2: what worked for us" in html


def test_report_as_identifying_a_child_hides_the_post(client, room, member, second_member):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    client.force_login(second_member)
    response = client.post(f"/forum/post/{post.pk}/report/", {"reason": "child"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN


def test_a_report_that_hides_a_thread_s_opening_post_returns_to_the_category(
    client, room, member, second_member
):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    client.force_login(second_member)

    response = client.post(f"/forum/post/{post.pk}/report/", {"reason": "child"}, follow=True)

    assert response.redirect_chain[-1][0] == room.get_absolute_url()
    assert "The thread is hidden while they look at it." in page(response)


def test_a_report_that_hides_the_post_says_so(client, room, member, second_member):
    post = thread_with_posts(posts=2, category=room, author=member).posts.get(post_number=2)
    client.force_login(second_member)

    response = client.post(f"/forum/post/{post.pk}/report/", {"reason": "child"}, follow=True)

    assert "The post is hidden while they look at it." in page(response)


def test_a_report_that_leaves_the_post_up_does_not_say_it_is_hidden(
    client, room, member, second_member
):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    client.force_login(second_member)

    response = client.post(f"/forum/post/{post.pk}/report/", {"reason": "spam"}, follow=True)

    html = page(response)
    assert "the moderators have your report and will look at it" in html
    assert "hidden" not in html.split("moderators have your report")[1][:80]


def test_an_address_with_an_old_slug_keeps_its_page(client, room, member):
    thread = thread_with_posts(posts=45, category=room, author=member)
    client.force_login(member)

    response = client.get(f"/forum/t/{thread.pk}/its-title-before-a-redaction/?page=3")

    assert response["Location"] == f"{thread.get_absolute_url()}?page=3"


def test_the_short_address_of_a_thread_keeps_its_page(client, room, member):
    thread = thread_with_posts(posts=45, category=room, author=member)
    client.force_login(member)

    response = client.get(f"/forum/t/{thread.pk}/?page=2")

    assert response["Location"] == f"{thread.get_absolute_url()}?page=2"


def test_a_report_brings_the_reader_back_to_the_post_they_reported(
    client, room, member, second_member
):
    thread = thread_with_posts(posts=45, category=room, author=member)
    post = thread.posts.get(post_number=45)
    client.force_login(second_member)

    response = client.post(f"/forum/post/{post.pk}/report/", {"reason": "spam"})

    assert response["Location"] == f"/forum/t/{thread.pk}/p/45/"


def test_report_form_keeps_details_on_error(client, room, member, second_member):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    client.force_login(second_member)
    response = client.post(f"/forum/post/{post.pk}/report/", {"reason": "other", "details": " "})
    assert response.status_code == 400
    assert "what is wrong" in page(response)


def test_report_form_errors_stand_by_their_fields_and_the_summary_links_to_them(
    client, room, member, second_member
):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    client.force_login(second_member)

    html = page(client.post(f"/forum/post/{post.pk}/report/", {"details": ""}))

    # A group of radios: the summary's link goes to the first option.
    assert 'href="#id_reason_0"' in html
    assert 'id="id_reason_0"' in html
    assert 'aria-describedby="id_reason_error"' in html and 'id="id_reason_error"' in html


def test_report_details_error_is_tied_to_its_box(client, room, member, second_member):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    client.force_login(second_member)

    html = page(client.post(f"/forum/post/{post.pk}/report/", {"reason": "other"}))

    assert 'aria-describedby="id_details_helptext id_details_error"' in html
    assert 'id="id_details_error"' in html


def test_member_who_may_not_post_sees_why(client, commissioners_room, commissioner_member):
    policy = member_of_type("policy")
    commissioners_room.policy_may_read = True
    commissioners_room.save()
    client.force_login(policy)
    response = client.get(f"/forum/c/{commissioners_room.slug}/new/")
    assert response.status_code == 403
    assert "open for posting to other member types" in page(response)


# --- Files ---------------------------------------------------------------------------------


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "teal")
    exif = Image.Exif()
    exif[0x010F] = "Fictional Camera Co"  # Make
    exif[0x9003] = "2024:05:01 10:00:00"  # DateTimeOriginal
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def test_document_attachment_is_checked_and_served_to_readers(
    client, room, member, second_member, confirmed
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    upload = SimpleUploadedFile("rota.csv", b"day,shift\nMonday,early\n", content_type="text/csv")
    client.post(f"/forum/t/{thread.pk}/reply/", {"body": "Our rota.", "attachments": [upload]})
    attachment = PostAttachment.objects.get()
    assert attachment.approval == AttachmentApproval.APPROVED
    client.force_login(second_member)
    response = client.get(f"/forum/attachment/{attachment.pk}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Monday" in body


def test_renamed_file_of_the_wrong_type_is_refused(client, room, member, confirmed):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    upload = SimpleUploadedFile(
        "notes.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(
        f"/forum/t/{thread.pk}/reply/", {"body": "Notes attached.", "attachments": [upload]}
    )
    assert response.status_code == 400
    assert "cannot be attached" in page(response)
    assert "Notes attached." in page(response)
    # The refusal stands by the file input, which says it is the one in error.
    assert 'id="id_attachments_error"' in page(response)
    assert 'aria-invalid="true"' in page(response)


def test_an_empty_file_among_several_is_named_in_the_refusal(client, room, member, confirmed):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    rota = SimpleUploadedFile("rota.csv", b"day,shift\nMonday,early\n", content_type="text/csv")
    empty = SimpleUploadedFile("minutes.pdf", b"", content_type="application/pdf")

    response = client.post(
        f"/forum/t/{thread.pk}/reply/", {"body": "Two files.", "attachments": [rota, empty]}
    )

    assert response.status_code == 400
    assert "minutes.pdf: This file is empty." in page(response)
    assert not PostAttachment.objects.exists()


def test_image_waits_for_approval_and_loses_its_metadata(
    client, room, member, second_member, moderator, confirmed, django_capture_on_commit_callbacks
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    upload = SimpleUploadedFile("garden.jpg", jpeg_with_exif(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/forum/t/{thread.pk}/reply/", {"body": "Our garden.", "attachments": [upload]}
        )
    attachment = PostAttachment.objects.get()
    assert attachment.approval == AttachmentApproval.PENDING
    with attachment.file.open("rb") as stored, Image.open(stored) as image:
        assert not image.getexif()
        assert b"Fictional Camera" not in stored.read() if stored.seek(0) == 0 else True
    client.force_login(second_member)
    assert client.get(f"/forum/attachment/{attachment.pk}/").status_code == 404
    client.force_login(member)
    assert client.get(f"/forum/attachment/{attachment.pk}/").status_code == 200


def test_an_image_over_the_pixel_limit_is_refused_and_the_post_is_kept(
    client, settings, room, member, confirmed
):
    settings.IMAGE_MAX_SIDE = 100
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    output = io.BytesIO()
    Image.new("1", (400, 300)).save(output, format="PNG")
    upload = SimpleUploadedFile("plan.png", output.getvalue(), content_type="image/png")
    response = client.post(
        f"/forum/t/{thread.pk}/reply/", {"body": "Our floor plan.", "attachments": [upload]}
    )
    assert response.status_code == 400
    assert "Images may be at most 100 x 100 pixels" in page(response)
    assert "this one is 400 x 300" in page(response)
    assert "Our floor plan." in page(response)
    assert not PostAttachment.objects.exists()


def test_an_image_keeps_its_metadata_until_the_task_strips_it(
    client, room, member, confirmed, django_capture_on_commit_callbacks
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    upload = SimpleUploadedFile("garden.jpg", jpeg_with_exif(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            f"/forum/t/{thread.pk}/reply/", {"body": "Our garden.", "attachments": [upload]}
        )
    attachment = PostAttachment.objects.get()
    assert not attachment.metadata_stripped
    with attachment.file.open("rb") as stored:
        assert b"Fictional Camera" in stored.read()
    for callback in callbacks:
        callback()
    attachment.refresh_from_db()
    assert attachment.metadata_stripped
    with attachment.file.open("rb") as stored:
        assert b"Fictional Camera" not in stored.read()


def test_nobody_opens_an_image_before_its_metadata_is_stripped(
    client, room, member, moderator, confirmed, django_capture_on_commit_callbacks
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    upload = SimpleUploadedFile("garden.jpg", jpeg_with_exif(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            f"/forum/t/{thread.pk}/reply/", {"body": "Our garden.", "attachments": [upload]}
        )
    attachment = PostAttachment.objects.get()
    assert not attachment.metadata_stripped

    client.force_login(moderator)
    assert client.get(f"/forum/attachment/{attachment.pk}/").status_code == 404


def test_stripping_an_image_twice_changes_nothing_the_second_time(
    client, room, member, confirmed, django_capture_on_commit_callbacks
):
    from forum import tasks

    thread = thread_with_posts(posts=1, category=room, author=member)
    client.force_login(member)
    upload = SimpleUploadedFile("garden.jpg", jpeg_with_exif(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/forum/t/{thread.pk}/reply/", {"body": "Our garden.", "attachments": [upload]}
        )
    assert PostAttachment.objects.get().metadata_stripped
    attachment = PostAttachment.objects.get()
    name, size = attachment.file.name, attachment.size_bytes
    assert tasks.attachment_strip(attachment.pk) is False
    attachment.refresh_from_db()
    assert (attachment.file.name, attachment.size_bytes) == (name, size)


# --- Search ------------------------------------------------------------------------------


def test_search_finds_visible_posts_in_readable_categories_only(
    client, room, commissioners_room, provider_member, commissioner_member
):
    readable = thread_with_posts(posts=1, category=room, author=commissioner_member, title="Rotas")
    Post.objects.filter(thread=readable).update(body="Weekend rotas and supervision")
    publishing.post_search_index(readable.posts.get())
    secret = thread_with_posts(
        posts=1, category=commissioners_room, author=commissioner_member, title="Supervision fees"
    )
    held = thread_with_posts(posts=1, category=room, author=commissioner_member, title="Held one")
    Post.objects.filter(thread=held).update(body="supervision details", state=PostState.HELD)
    client.force_login(provider_member)
    html = page(client.get("/forum/search/?q=supervision"))
    assert "Rotas" in html
    assert "Supervision fees" not in html and secret.title not in html
    assert "Held one" not in html


def test_search_marks_each_word_of_the_snippet_and_nothing_inside_the_marks(client, room, member):
    thread = thread_with_posts(posts=1, category=room, title="Rotas")
    Post.objects.filter(thread=thread).update(body="Placement reviews & a plan each term")
    publishing.post_search_index(thread.posts.get())
    client.force_login(member)

    html = page(client.get("/forum/search/", {"q": "placement a"}))

    assert "<mark>Placement</mark> reviews &amp; " in html
    assert "<m<mark>" not in html


def test_a_hyphenated_search_finds_the_words_written_apart(client, room, member):
    thread = thread_with_posts(posts=1, category=room, title="Rotas")
    Post.objects.filter(thread=thread).update(body="Our key worker meets them weekly.")
    publishing.post_search_index(thread.posts.get())
    client.force_login(member)

    html = page(client.get("/forum/search/", {"q": "key-worker"}))

    assert "Rotas" in html
    assert "Forum threads matching “key-worker”" in html


def test_search_with_nothing_matching_says_so(client, room, member):
    client.force_login(member)
    assert "No threads you can read match" in page(client.get("/forum/search/?q=zebra"))


@pytest.mark.parametrize("q", ['""', "-", "..."])
def test_a_search_without_a_word_is_no_search(client, room, member, q):
    thread = thread_with_posts(posts=1, category=room, title="Weekend rotas")
    publishing.post_search_index(thread.posts.get())
    client.force_login(member)

    html = page(client.get("/forum/search/", {"q": q}))

    assert "Type words in the search box above." in html
    assert "Weekend rotas" not in html
    assert "No threads you can read match" not in html


def test_a_search_of_only_common_words_says_they_are_too_common_to_search_on(client, room, member):
    thread = thread_with_posts(posts=1, category=room, title="The rota and the plan")
    publishing.post_search_index(thread.posts.get())
    client.force_login(member)

    html = page(client.get("/forum/search/", {"q": "the and of"}))

    assert "“the and of” holds only words too common to search on" in html
    assert "No threads you can read match" not in html
    assert 'class="forum-results"' not in html


def test_a_search_page_past_the_last_does_not_say_nothing_matches(client, room, member):
    thread = thread_with_posts(posts=1, category=room, title="Weekend rotas")
    publishing.post_search_index(thread.posts.get())
    client.force_login(member)

    html = page(client.get("/forum/search/?q=rotas&page=5"))

    assert "No threads you can read match" not in html
    assert "There are no more threads matching “rotas”." in html


def test_a_search_of_many_words_is_cut_and_the_page_says_so(client, settings, room, member):
    settings.FORUM_SEARCH_MAX_TERMS = 12
    words = ["weekend", "rotas"] + [f"word{n}" for n in range(97)]
    thread = thread_with_posts(posts=1, category=room, author=member, title="Rotas")
    Post.objects.filter(thread=thread).update(body=" ".join(words[:12]) + " and more")
    publishing.post_search_index(thread.posts.get())
    client.force_login(member)
    response = client.get("/forum/search/", {"q": '"' + " ".join(words) + '"'})
    assert response.status_code == 200
    assert "Only the first 12 words were searched." in page(response)
    assert "Rotas" in page(response)


def test_a_short_search_says_nothing_about_cutting(client, room, member):
    client.force_login(member)
    assert "were searched" not in page(client.get("/forum/search/?q=weekend+rotas"))


def test_search_reads_at_most_the_configured_number_of_words(settings):
    settings.FORUM_SEARCH_MAX_TERMS = 3
    query, notice = search.query_bound('"one two three four five" six')
    assert query == '"one two three"'
    assert notice == "Only the first 3 words were searched."


def test_search_reads_at_most_the_configured_number_of_characters(settings):
    settings.FORUM_SEARCH_MAX_CHARS = 20
    query, notice = search.query_bound("supervision " * 5)
    assert query == "supervision"
    assert notice == "Only the first 20 characters were searched."


def test_posting_a_reply_costs_the_same_queries_in_a_long_thread(
    client, room, member, second_member, confirmed, django_assert_max_num_queries
):
    short = thread_with_posts(category=room, author=member, posts=3)
    long = thread_with_posts(category=room, author=member, posts=300)
    client.force_login(second_member)
    for thread in (short, long):  # the first reply also follows the thread
        client.post(f"/forum/t/{thread.pk}/reply/", {"body": "Warm-up reply."})
    with django_assert_max_num_queries(32) as counted:
        client.post(f"/forum/t/{short.pk}/reply/", {"body": "A reply in a short thread."})
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.post(f"/forum/t/{long.pk}/reply/", {"body": "A reply in a long thread."})


def test_preview_of_a_new_thread_applies_the_posting_length_limit(
    client, settings, room, member, confirmed
):
    settings.FORUM_POST_MAX_LENGTH = 1_000
    client.force_login(member)
    body = "Induction notes. " + "x" * 1_200
    response = client.post(
        f"/forum/c/{room.slug}/new/", {"title": "Induction week", "body": body, "preview": "1"}
    )
    assert response.status_code == 400
    assert "Posts may be at most 1,000 characters" in page(response)
    assert body in page(response)
    assert 'class="forum-preview' not in page(response)


def test_preview_of_a_reply_applies_the_posting_length_limit(
    client, settings, room, member, second_member, confirmed
):
    thread = thread_with_posts(posts=1, category=room, author=member)
    settings.FORUM_POST_MAX_LENGTH = 1_000
    client.force_login(second_member)
    body = "My answer. " + "y" * 1_200
    response = client.post(f"/forum/t/{thread.pk}/reply/", {"body": body, "preview": "1"})
    assert response.status_code == 400
    assert "Posts may be at most 1,000 characters" in page(response)
    assert body in page(response)


def test_a_confirmed_member_is_not_asked_again_even_when_the_session_remembers_it(
    client, room, member, confirmed
):
    thread = thread_with_posts(category=room, author=member, posts=2)
    client.force_login(member)
    client.get(thread.get_absolute_url())

    again = page(client.get(thread.get_absolute_url()))

    assert 'name="confirm_child_safety"' not in again
    assert client.session["forum_child_safety_confirmed"] is True


def test_the_author_finds_their_thread_awaiting_review_on_the_category_page(
    client, room, member, second_member, confirmed
):
    room.is_premoderated = True
    room.save()
    client.force_login(member)
    client.post(
        f"/forum/c/{room.slug}/new/",
        {"title": "Night staff induction", "body": "How long is your induction for nights?"},
    )
    thread = Thread.objects.get()
    assert thread.state == ThreadState.HELD

    own = page(client.get(f"/forum/c/{room.slug}/"))
    client.force_login(second_member)
    others = page(client.get(f"/forum/c/{room.slug}/"))

    assert "Your threads awaiting review" in own
    assert f'href="{thread.get_absolute_url()}"' in own
    assert "Night staff induction" not in others


def test_a_next_address_over_plain_http_is_not_followed_from_a_secure_page(client, room, member):
    post = thread_with_posts(posts=1, category=room, author=member).posts.get()
    client.force_login(member)

    response = client.post(
        f"/forum/post/{post.pk}/bookmark/",
        {"next": "http://testserver/forum/bookmarks/"},
        secure=True,
    )

    assert response["Location"] == post.get_absolute_url()
