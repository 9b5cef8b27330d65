"""The moderators' pages and one-button actions: access, CSRF, what each does, the
messages moderators see, and the include templates for the thread page."""

import base64
import re

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from forum.models import (
    AttachmentApproval,
    ModerationAction,
    ModerationActionKind,
    PostAttachment,
    PostRevision,
    PostState,
    ReviewItem,
    Suspension,
    Thread,
)
from forum.moderation import redaction
from tests import roles
from tests.forum.factories import (
    CategoryFactory,
    PostFactory,
    category_moderator,
    held_post,
    member_of_type,
    reported_item,
    thread_with_posts,
)

pytestmark = pytest.mark.django_db

# The smallest valid PNG: one transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def url(name: str, pk: int) -> str:
    return reverse(f"forum:moderation_{name}", kwargs={"pk": pk})


def image_on(post) -> PostAttachment:
    attachment = PostAttachment(
        post=post,
        original_filename="garden.png",
        content_type="image/png",
        extension="png",
        size_bytes=len(PNG),
        is_image=True,
        approval=AttachmentApproval.PENDING,
    )
    attachment.file.save("garden.png", ContentFile(PNG), save=False)
    attachment.save()
    return attachment


# --- Access -------------------------------------------------------------------------------

POST_ACTIONS = ["post_hide", "post_restore", "post_approve", "post_reject"]
THREAD_ACTIONS = ["thread_lock", "thread_unlock", "thread_pin", "thread_unpin"]
THREAD_VISIBILITY = ["thread_hide", "thread_restore"]


@pytest.mark.parametrize("name", POST_ACTIONS)
def test_members_get_403_from_post_actions(client, name):
    post = thread_with_posts(posts=1).posts.get()
    client.force_login(member_of_type())
    assert client.post(url(name, post.pk)).status_code == 403
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("name", THREAD_ACTIONS)
def test_members_get_403_from_thread_actions(client, name):
    thread = thread_with_posts(posts=1)
    client.force_login(member_of_type())
    assert client.post(url(name, thread.pk)).status_code == 403


@pytest.mark.parametrize(
    "name", ["post", "post_edit", "post_redact", "thread", "thread_move", "thread_merge"]
)
def test_members_get_403_from_moderator_pages(client, name):
    thread = thread_with_posts(posts=1)
    pk = thread.pk if name.startswith("thread") else thread.posts.get().pk
    client.force_login(member_of_type())
    assert client.get(url(name, pk)).status_code == 403


def test_the_403_page_does_not_name_the_thread(client):
    thread = thread_with_posts(posts=1, title="Allegation at Fictional House")
    client.force_login(member_of_type())
    response = client.get(url("thread", thread.pk))
    assert response.status_code == 403
    assert "Fictional House" not in response.text


def test_a_category_moderator_gets_403_outside_their_categories(client):
    moderator = category_moderator(CategoryFactory(name="Mine"))
    elsewhere = thread_with_posts(posts=1)
    client.force_login(moderator)
    assert client.post(url("post_hide", elsewhere.posts.get().pk)).status_code == 403
    assert client.post(url("thread_lock", elsewhere.pk)).status_code == 403


def test_a_category_moderator_acts_in_their_category(client):
    category = CategoryFactory(name="Mine")
    moderator = category_moderator(category)
    post = thread_with_posts(category=category, posts=1).posts.get()
    client.force_login(moderator)
    assert client.post(url("post_hide", post.pk)).status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN


@pytest.mark.parametrize("name", POST_ACTIONS)
def test_post_actions_refuse_get(mod_client, name):
    post = thread_with_posts(posts=1).posts.get()
    assert mod_client.get(url(name, post.pk)).status_code == 405


def test_post_actions_need_the_csrf_token(moderator):
    post = thread_with_posts(posts=1).posts.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    assert client.post(url("post_hide", post.pk)).status_code == 403
    post.refresh_from_db()
    assert post.state == PostState.VISIBLE


def test_visitors_are_sent_to_sign_in_from_actions(client):
    post = thread_with_posts(posts=1).posts.get()
    response = client.post(url("post_hide", post.pk))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Posts --------------------------------------------------------------------------------


def test_hiding_from_the_tools_returns_to_the_page_given(mod_client):
    post = thread_with_posts(posts=1).posts.get()
    response = mod_client.post(
        url("post_hide", post.pk), {"reason": "Personal data", "next": "/forum/moderation/"}
    )
    assert response["Location"] == "/forum/moderation/"
    assert ModerationAction.objects.get(action="hide").reason == "Personal data"


def test_a_foreign_next_address_is_not_followed(mod_client):
    post = thread_with_posts(posts=1).posts.get()
    response = mod_client.post(url("post_hide", post.pk), {"next": "https://evil.example/"})
    assert response["Location"] == url("post", post.pk)


def test_hiding_a_hidden_post_says_why_it_cannot(mod_client):
    post = thread_with_posts(posts=1).posts.get()
    mod_client.post(url("post_hide", post.pk))
    response = mod_client.post(url("post_hide", post.pk), follow=True)
    assert "Only a visible post can be hidden." in response.text


def test_restore_approve_and_reject_from_the_tools(mod_client):
    visible = thread_with_posts(posts=1).posts.get()
    mod_client.post(url("post_hide", visible.pk))
    mod_client.post(url("post_restore", visible.pk))
    to_publish = held_post()
    to_reject = held_post()
    mod_client.post(url("post_approve", to_publish.pk))
    mod_client.post(url("post_reject", to_reject.pk))

    states = {p.pk: p.state for p in [visible, to_publish, to_reject] if not p.refresh_from_db()}
    assert states == {
        visible.pk: PostState.VISIBLE,
        to_publish.pk: PostState.VISIBLE,
        to_reject.pk: PostState.HIDDEN,
    }
    assert not ReviewItem.objects.open().exists()


def test_the_moderator_post_page_shows_the_edit_history_and_log(mod_client, moderator):
    post = thread_with_posts(posts=1).posts.get()
    mod_client.post(
        url("post_edit", post.pk), {"body": "Shorter text.", "reason": "Removed a surname"}
    )
    response = mod_client.get(url("post", post.pk))
    assert response.status_code == 200
    assert "Post 1: what worked for us before the visit." in response.text  # the revision
    assert "Edited a post" in response.text
    assert "Removed a surname" in response.text


def test_each_log_entry_carries_its_column_names_for_narrow_screens(mod_client):
    post = thread_with_posts(posts=1).posts.get()
    mod_client.post(
        url("post_edit", post.pk), {"body": "Shorter text.", "reason": "Removed a surname"}
    )

    log = mod_client.get(url("post", post.pk)).text.split("Moderation log, latest first")[1]

    (row,) = re.findall(r'<tr role="row"><td.*?</tr>', log, re.S)
    assert re.findall(r'data-label="([^"]+)"', row) == ["When", "Who", "What", "Reason"]


def test_the_edit_form_keeps_what_was_typed_when_the_reason_is_missing(mod_client):
    post = thread_with_posts(posts=1).posts.get()
    response = mod_client.post(url("post_edit", post.pk), {"body": "My new wording", "reason": ""})
    assert response.status_code == 400
    assert "My new wording" in response.text
    assert "Give a reason" in response.text
    post.refresh_from_db()
    assert post.body != "My new wording"


def test_an_unchanged_edit_is_refused_with_a_message(mod_client):
    post = thread_with_posts(posts=1).posts.get()
    response = mod_client.post(url("post_edit", post.pk), {"body": post.body, "reason": "Tidy"})
    assert response.status_code == 400
    assert "The text is unchanged." in response.text


def test_redacting_through_the_page_purges_revisions_and_warns_of_quotes(mod_client):
    thread = thread_with_posts(posts=1)
    post = PostFactory(thread=thread, body="Ask Kezia Marlow at Fictional House about it.")
    PostRevision.objects.create(post=post, body="Ask Kezia at Fictional House.")
    PostFactory(thread=thread, body="> Ask Kezia Marlow\n\nWill do.")

    response = mod_client.post(
        url("post_redact", post.pk),
        {"body": "Ask the registered manager about it.", "reason": "Could identify a child"},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 earlier version deleted" in response.text
    assert "still contain words you took out" in response.text
    assert not PostRevision.objects.filter(body__icontains="Kezia").exists()


def test_an_edit_from_a_page_opened_before_a_redaction_does_not_bring_the_words_back(
    mod_client, staff
):
    post = PostFactory(
        thread=thread_with_posts(posts=1), body="Ask Kezia Marlow at Fictional House about it."
    )
    opened = mod_client.get(url("post_edit", post.pk)).text
    based_on = re.search(r'name="based_on" value="([^"]+)"', opened)[1]
    redaction.post_redact(
        actor=staff,
        post=post,
        body="Ask the registered manager about it.",
        reason="Could identify a child",
    )

    response = mod_client.post(
        url("post_edit", post.pk),
        {
            "body": "Ask Kezia Marlow at Fictional House about it, please.",
            "reason": "Tidied the wording",
            "based_on": based_on,
        },
    )

    assert response.status_code == 400
    assert "changed after you opened it" in response.text
    post.refresh_from_db()
    assert "Kezia" not in post.body


def test_redaction_without_a_reason_keeps_the_text_and_changes_nothing(mod_client):
    post = thread_with_posts(posts=1).posts.get()
    response = mod_client.post(url("post_redact", post.pk), {"body": "Redacted.", "reason": ""})
    assert response.status_code == 400
    assert "Redacted." in response.text
    assert not ModerationAction.objects.exists()


# --- Images -------------------------------------------------------------------------------


def test_moderators_see_a_waiting_image_members_do_not(mod_client, client):
    post = thread_with_posts(posts=1).posts.get()
    attachment = image_on(post)
    response = mod_client.get(url("image", attachment.pk))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == PNG
    assert response["Cache-Control"] == "private, no-store"
    other = Client()
    other.force_login(member_of_type())
    assert other.get(url("image", attachment.pk)).status_code == 403


def test_approving_an_image_is_logged_and_ends_its_queue_item(mod_client, moderator):
    post = thread_with_posts(posts=1).posts.get()
    attachment = image_on(post)
    item = ReviewItem.objects.create(post=post, kind="image")

    mod_client.post(url("image_approve", attachment.pk))

    attachment.refresh_from_db()
    item.refresh_from_db()
    assert attachment.approval == AttachmentApproval.APPROVED
    assert attachment.decided_by == moderator
    assert item.resolution == "agree"
    entry = ModerationAction.objects.get(action=ModerationActionKind.APPROVE_IMAGE)
    assert entry.details == {"attachment": attachment.pk}


def test_a_moderator_cannot_approve_an_image_they_attached_themselves(mod_client, moderator):
    post = thread_with_posts(posts=1, author=moderator).posts.get()
    attachment = image_on(post)

    response = mod_client.post(url("image_approve", attachment.pk), follow=True)

    attachment.refresh_from_db()
    assert attachment.approval == AttachmentApproval.PENDING
    assert "Another moderator decides whether your own post, or an image on it" in response.text


def test_a_moderator_cannot_put_up_their_own_held_post(mod_client, moderator):
    post = held_post(author=moderator)
    item = ReviewItem.objects.get(post=post)

    response = mod_client.post(
        reverse("forum:moderation_item_resolve", kwargs={"pk": item.pk}),
        {f"item-{item.pk}-decision": "publish"},
    )

    post.refresh_from_db()
    assert response.status_code == 400
    assert post.state == PostState.HELD
    assert "Another moderator decides whether your own post" in response.text


@pytest.mark.parametrize("decision", ["ignore", "keep"])
def test_a_moderator_cannot_close_the_reports_on_their_own_post(mod_client, moderator, decision):
    post = thread_with_posts(posts=1, author=moderator).posts.get()
    item = reported_item(post=post)

    response = mod_client.post(
        reverse("forum:moderation_item_resolve", kwargs={"pk": item.pk}),
        {f"item-{item.pk}-decision": decision},
    )

    item.refresh_from_db()
    assert response.status_code == 400
    assert item.is_open
    assert "Another moderator decides whether your own post" in response.text


def test_a_rejected_image_shows_moderators_its_name_without_a_dead_link(mod_client):
    thread = thread_with_posts(posts=1)
    attachment = image_on(thread.posts.get())
    mod_client.post(url("image_reject", attachment.pk))

    page = mod_client.get(thread.get_absolute_url()).text

    assert "garden.png" in page and "rejected: its file is deleted" in page
    assert reverse("forum:attachment", args=[attachment.pk]) not in page


def test_a_moderator_sees_one_edit_link_on_someone_else_s_post_and_on_their_own(
    mod_client, moderator
):
    thread = thread_with_posts(posts=1)
    own = PostFactory(thread=thread, author=moderator, post_number=2)
    Thread.objects.filter(pk=thread.pk).update(post_number_counter=2, last_post_number=2)

    page = mod_client.get(thread.get_absolute_url()).text

    assert page.count('Edit<span class="visually-hidden"> post 1</span>') == 1
    assert page.count('Edit<span class="visually-hidden"> post 2</span>') == 2
    assert reverse("forum:post_edit", kwargs={"pk": own.pk}) in page


@pytest.mark.parametrize("tool", ["post_approve", "post_restore"])
def test_a_moderator_s_post_tools_cannot_put_up_their_own_post(mod_client, moderator, tool):
    post = held_post(author=moderator)
    if tool == "post_restore":
        type(post).objects.filter(pk=post.pk).update(state=PostState.HIDDEN)

    mod_client.post(url(tool, post.pk))

    post.refresh_from_db()
    assert post.state != PostState.VISIBLE


def test_rejecting_an_image_deletes_its_file(mod_client, django_capture_on_commit_callbacks):
    post = thread_with_posts(posts=1).posts.get()
    attachment = image_on(post)
    stored = attachment.file.path
    with django_capture_on_commit_callbacks(execute=True):
        mod_client.post(url("image_reject", attachment.pk))
    attachment.refresh_from_db()
    assert attachment.approval == AttachmentApproval.REJECTED
    import os

    assert not os.path.exists(stored)
    assert ModerationAction.objects.filter(action=ModerationActionKind.REJECT_IMAGE).exists()


def test_an_image_item_stays_open_while_another_image_waits(mod_client):
    post = thread_with_posts(posts=1).posts.get()
    first, _second = image_on(post), image_on(post)
    item = ReviewItem.objects.create(post=post, kind="image")
    mod_client.post(url("image_approve", first.pk))
    item.refresh_from_db()
    assert item.is_open


def test_publishing_a_held_post_with_waiting_images_opens_an_image_item(mod_client):
    post = held_post()
    image_on(post)
    mod_client.post(url("post_approve", post.pk))
    assert ReviewItem.objects.open().get(post=post).kind == "image"


# --- Threads ------------------------------------------------------------------------------


def test_lock_pin_unlock_unpin_from_the_tools(mod_client):
    thread = thread_with_posts(posts=1)
    for name in THREAD_ACTIONS:
        assert mod_client.post(url(name, thread.pk)).status_code == 302
    thread.refresh_from_db()
    assert not thread.is_locked and not thread.is_pinned
    assert ModerationAction.objects.count() == 4


def test_moving_a_thread_through_the_form(mod_client):
    thread = thread_with_posts(posts=2)
    target = CategoryFactory(name="Leaving care and Staying Close")
    page = mod_client.get(url("thread_move", thread.pk))
    assert "Leaving care and Staying Close" in page.text
    response = mod_client.post(url("thread_move", thread.pk), {"category": target.pk})
    assert response.status_code == 302
    assert Thread.objects.get(pk=thread.pk).category == target


def test_the_move_form_offers_only_categories_the_moderator_moderates(client):
    mine = CategoryFactory(name="Mine")
    also_mine = CategoryFactory(name="Also mine")
    CategoryFactory(name="Commissioners only")
    moderator = category_moderator(mine)
    also_mine.moderators.add(moderator)
    thread = thread_with_posts(category=mine, posts=1)
    client.force_login(moderator)
    form = client.get(url("thread_move", thread.pk)).context["form"]
    assert list(form.fields["category"].queryset) == [also_mine]


def test_moving_without_a_category_keeps_the_form(mod_client):
    thread = thread_with_posts(posts=1)
    CategoryFactory(name="Inspection and quality")
    response = mod_client.post(url("thread_move", thread.pk), {"reason": "Tidy"})
    assert response.status_code == 400
    assert "Choose the room to move the thread to" in response.text


def test_merging_through_the_form(mod_client):
    target = thread_with_posts(posts=2)
    merged = thread_with_posts(posts=1)
    response = mod_client.post(url("thread_merge", merged.pk), {"into": target.pk})
    assert response["Location"] == url("thread", target.pk)
    merged.refresh_from_db()
    assert merged.merged_into == target


def test_merging_into_a_thread_that_does_not_exist_says_so(mod_client):
    merged = thread_with_posts(posts=1)
    response = mod_client.post(url("thread_merge", merged.pk), {"into": 99999})
    assert response.status_code == 400
    assert "There is no thread with this number." in response.text


def test_merging_into_a_category_one_does_not_moderate_is_refused(client):
    mine = CategoryFactory(name="Mine")
    moderator = category_moderator(mine)
    merged = thread_with_posts(category=mine, posts=1)
    elsewhere = thread_with_posts(posts=1)
    client.force_login(moderator)
    response = client.post(url("thread_merge", merged.pk), {"into": elsewhere.pk})
    assert response.status_code == 400
    assert "You do not moderate the category of that thread." in response.text


# --- Members ------------------------------------------------------------------------------


def forum_writer(**user_fields):
    """A member who has written in the forum, so the moderators have met them."""
    person = member_of_type(**user_fields)
    PostFactory(author=person)
    return person


def test_a_moderator_cannot_open_the_page_of_someone_who_never_wrote_in_the_forum(mod_client):
    """Not any account by its number: the page names the person."""
    reader = member_of_type(name="Quiet Reader")

    response = mod_client.get(url("suspend", reader.pk))

    assert response.status_code == 404
    assert "Quiet Reader" not in response.text


def test_a_moderator_opens_the_page_of_someone_who_reported_a_post(mod_client):
    item = reported_item()
    reporter = item.reports.get().reporter

    assert mod_client.get(url("suspend", reporter.pk)).status_code == 200


def test_staff_open_the_page_of_anyone(client):
    client.force_login(roles.with_two_factor(roles.staff()))
    reader = member_of_type(name="Quiet Reader")

    assert "Quiet Reader" in client.get(url("suspend", reader.pk)).text


def test_suspending_through_the_form_and_lifting_it(mod_client):
    writer = forum_writer(name="Rowan Pike")
    response = mod_client.post(
        url("suspend", writer.pk), {"period": "7", "reason": "Repeated personal attacks"}
    )
    assert response.status_code == 302
    suspension = Suspension.objects.in_force().get(member=writer)
    assert suspension.until is not None
    assert "Repeated personal attacks" in mod_client.get(url("suspend", writer.pk)).text
    in_force = mod_client.get(reverse("forum:moderation_suspensions")).text
    assert 'data-label="Member"><a' in in_force
    assert "Rowan Pike" in in_force
    assert 'data-label="Reason">Repeated personal attacks' in in_force

    mod_client.post(url("suspension_lift", suspension.pk), {"reason": "Apologised"})
    assert not Suspension.objects.in_force().filter(member=writer).exists()


def test_an_open_ended_suspension(mod_client):
    writer = forum_writer()
    mod_client.post(url("suspend", writer.pk), {"period": "lifted", "reason": "Spam"})
    assert Suspension.objects.in_force().get(member=writer).until is None


def test_a_suspension_without_a_reason_keeps_the_form(mod_client):
    writer = forum_writer()
    response = mod_client.post(url("suspend", writer.pk), {"period": "7", "reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.text
    assert not Suspension.objects.exists()


def test_a_staff_member_s_page_offers_a_moderator_no_suspension(mod_client):
    staff = roles.staff()
    PostFactory(author=staff)

    page = mod_client.get(url("suspend", staff.pk)).text
    refused = mod_client.post(url("suspend", staff.pk), {"period": "7", "reason": "Testing"})

    assert "suspended by the network's staff" in page
    assert 'name="reason"' not in page
    assert refused.status_code == 400
    assert not Suspension.objects.exists()


def test_category_moderators_and_members_cannot_suspend(client):
    writer = member_of_type()
    for person in [member_of_type(), category_moderator(CategoryFactory())]:
        client.force_login(person)
        assert client.get(url("suspend", writer.pk)).status_code == 403
        assert (
            client.post(url("suspend", writer.pk), {"period": "7", "reason": "x"}).status_code
            == 403
        )
        assert client.get(reverse("forum:moderation_suspensions")).status_code == 403
    assert not Suspension.objects.exists()


# --- The include templates for the thread page --------------------------------------------


def _render(template: str, user, **context) -> str:
    request = RequestFactory().get("/forum/t/1/some-thread/")
    request.user = user
    return render_to_string(template, {**context, "user": user}, request=request)


def test_post_tools_offer_hide_edit_redact_for_a_visible_post(moderator):
    post = thread_with_posts(posts=1).posts.select_related("thread__category").get()
    html = _render("forum/moderation/_post_tools.html", moderator, post=post)
    assert url("post_hide", post.pk) in html
    assert url("post_edit", post.pk) in html
    assert url("post_redact", post.pk) in html
    assert url("post_restore", post.pk) not in html
    assert 'name="next" value="/forum/t/1/some-thread/#post-1"' in html


def test_post_tools_offer_approve_and_reject_for_a_held_post(moderator):
    post = held_post()
    html = _render("forum/moderation/_post_tools.html", moderator, post=post)
    assert url("post_approve", post.pk) in html
    assert url("post_reject", post.pk) in html
    assert url("post_hide", post.pk) not in html


def test_post_tools_offer_restore_for_a_hidden_post(moderator):
    post = thread_with_posts(posts=1).posts.get()
    post.state = PostState.HIDDEN
    html = _render("forum/moderation/_post_tools.html", moderator, post=post)
    assert url("post_restore", post.pk) in html


def test_thread_tools_offer_the_opposite_of_the_current_state(moderator):
    thread = thread_with_posts(posts=1, is_locked=True)
    html = _render("forum/moderation/_thread_tools.html", moderator, thread=thread)
    assert url("thread_unlock", thread.pk) in html
    assert url("thread_lock", thread.pk) not in html
    assert url("thread_pin", thread.pk) in html
    assert url("thread_move", thread.pk) in html
    assert url("thread_merge", thread.pk) in html


@pytest.mark.parametrize("name", THREAD_VISIBILITY)
def test_members_get_403_from_thread_hide_and_restore(client, name):
    thread = thread_with_posts(posts=1)
    client.force_login(member_of_type())
    assert client.post(url(name, thread.pk)).status_code == 403


def test_hide_and_restore_a_thread_from_the_tools(mod_client, moderator):
    thread = thread_with_posts(posts=1)
    mod_client.post(url("thread_hide", thread.pk))
    assert Thread.objects.get(pk=thread.pk).state == "hidden"
    hidden = Thread.objects.get(pk=thread.pk)
    html = _render("forum/moderation/_thread_tools.html", moderator, thread=hidden)
    assert url("thread_restore", thread.pk) in html
    mod_client.post(url("thread_restore", thread.pk))
    assert Thread.objects.get(pk=thread.pk).state == "visible"


def test_images_still_waiting_after_a_report_is_resolved_keep_an_item(mod_client):
    post = thread_with_posts(posts=2).posts.get(post_number=2)
    image_on(post)
    item = reported_item(post=post)
    prefix = f"item-{item.pk}"
    mod_client.post(url("item_resolve", item.pk), {f"{prefix}-decision": "disagree"})
    assert ReviewItem.objects.open().get(post=post).kind == "image"


def test_a_hidden_post_leaves_no_image_item_behind(mod_client):
    post = thread_with_posts(posts=2).posts.get(post_number=2)
    image_on(post)
    item = reported_item(post=post)
    prefix = f"item-{item.pk}"
    mod_client.post(url("item_resolve", item.pk), {f"{prefix}-decision": "hide"})
    assert not ReviewItem.objects.open().filter(post=post).exists()


def test_the_redact_form_of_an_opening_post_offers_the_title(mod_client):
    thread = thread_with_posts(posts=1, title="About Kezia at Fictional House")
    opening = thread.posts.get()
    page = mod_client.get(url("post_redact", opening.pk))
    assert 'value="About Kezia at Fictional House"' in page.text
    mod_client.post(
        url("post_redact", opening.pk),
        {"title": "About a young person", "body": opening.body, "reason": "Could identify a child"},
    )
    assert Thread.objects.get(pk=thread.pk).title == "About a young person"


def test_the_redact_form_of_a_reply_has_no_title(mod_client):
    reply = thread_with_posts(posts=2).posts.get(post_number=2)
    assert "Title of the thread" not in mod_client.get(url("post_redact", reply.pk)).text


def _nav(user) -> str:
    from django.template import engines

    request = RequestFactory().get("/forum/")
    request.user = user
    template = engines["django"].from_string(
        "{% load forum_moderation %}<ul>{% review_queue_link %}</ul>"
    )
    return template.render({}, request=request)


def test_the_forum_navigation_shows_moderators_the_queue_with_its_count(moderator):
    reported_item()
    assert "Review queue (1 waiting)" in _nav(moderator)


def test_the_forum_navigation_shows_members_no_queue():
    reported_item()
    assert "Review queue" not in _nav(member_of_type())


def test_a_moderator_of_one_category_is_told_there_is_nowhere_to_move_to(client):
    mine = CategoryFactory(name="Mine only")
    moderator = category_moderator(mine)
    thread = thread_with_posts(category=mine, posts=1)
    client.force_login(moderator)
    assert "nowhere to move it" in client.get(url("thread_move", thread.pk)).text


def test_the_queue_shows_waiting_images_with_their_buttons(mod_client):
    post = thread_with_posts(posts=1).posts.get()
    attachment = image_on(post)
    ReviewItem.objects.create(post=post, kind="image")
    response = mod_client.get(reverse("forum:moderation_queue"))
    assert url("image", attachment.pk) in response.text
    assert url("image_approve", attachment.pk) in response.text
    assert url("image_reject", attachment.pk) in response.text
    assert "This item ends when every waiting image has been approved or rejected." in response.text


def test_an_image_not_yet_stripped_of_its_metadata_cannot_be_seen_or_approved(mod_client):
    attachment = image_on(thread_with_posts(posts=1).posts.get())
    PostAttachment.objects.filter(pk=attachment.pk).update(metadata_stripped=False)
    assert mod_client.get(url("image", attachment.pk)).status_code == 404
    response = mod_client.post(url("image_approve", attachment.pk), follow=True)
    assert "still being prepared" in response.content.decode()
    attachment.refresh_from_db()
    assert attachment.approval == AttachmentApproval.PENDING
