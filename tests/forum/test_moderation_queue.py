"""The review queue: who sees it, what it shows, its order and flags, and how items end."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from forum.models import (
    HoldReason,
    ModerationAction,
    ModerationActionKind,
    PostState,
    Report,
    ReportReason,
    Resolution,
    ReviewItem,
    ReviewNote,
    Suspension,
    Thread,
    ThreadState,
)
from forum.services import posting
from tests.forum.factories import (
    CategoryFactory,
    PostFactory,
    ThreadFactory,
    category_moderator,
    held_post,
    held_thread,
    member_of_type,
    reported_item,
    thread_with_posts,
    watch_pattern,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("forum:moderation_queue")


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    client.moderator = moderator
    return client


def resolve_url(item: ReviewItem) -> str:
    return reverse("forum:moderation_item_resolve", kwargs={"pk": item.pk})


def decide(client, item: ReviewItem, decision: str, note: str = ""):
    prefix = f"item-{item.pk}"
    return client.post(resolve_url(item), {f"{prefix}-decision": decision, f"{prefix}-note": note})


# --- Who may open it ----------------------------------------------------------------------


def test_members_get_403_from_the_queue(client):
    client.force_login(member_of_type())
    assert client.get(QUEUE).status_code == 403


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_superusers_open_the_queue(client, staff):
    client.force_login(staff)
    assert client.get(QUEUE).status_code == 200


def test_a_category_moderator_sees_only_their_categories_items(client):
    mine = CategoryFactory(name="Inspection and quality")
    other = CategoryFactory(name="Commissioners only")
    moderator = category_moderator(mine)
    reported_item(post=thread_with_posts(category=mine, title="Mock inspections").posts.last())
    reported_item(post=thread_with_posts(category=other, title="Framework prices").posts.last())
    client.force_login(moderator)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert "Mock inspections" in response.text
    assert "Framework prices" not in response.text


def test_a_category_moderator_cannot_resolve_an_item_elsewhere(client):
    moderator = category_moderator(CategoryFactory(name="Mine"))
    item = reported_item()
    client.force_login(moderator)
    assert decide(client, item, "hide").status_code == 403
    item.refresh_from_db()
    assert item.is_open


# --- What it shows ------------------------------------------------------------------------


def test_the_queue_shows_reported_posts_with_reasons_and_reporters(mod_client):
    item = reported_item(reason=ReportReason.PERSONAL_DATA, reporters=2)
    reporters = [r.reporter for r in item.reports.all()]

    response = mod_client.get(QUEUE)

    assert "Reported by 2 members" in response.text
    assert "Personal data about staff or a third party" in response.text
    for reporter in reporters:
        assert str(reporter) in response.text


def test_the_queue_says_a_reporter_is_suspended_so_their_report_hid_nothing(mod_client):
    item = reported_item(reason=ReportReason.IDENTIFIES_CHILD)
    Suspension.objects.create(
        member=item.reports.get().reporter,
        until=timezone.now() + timedelta(days=7),
        reason="Repeated personal remarks",
        created_by=mod_client.moderator,
    )

    response = mod_client.get(QUEUE)

    assert "suspended from posting, so their reports do not hide posts by themselves" in (
        response.text
    )


def test_the_queue_shows_each_reporters_record_beside_the_report(mod_client, settings):
    settings.FORUM_URGENT_REPORTS_REJECTED_LIMIT = 2
    item = reported_item(reason=ReportReason.IDENTIFIES_CHILD)
    reporter = item.reports.get().reporter
    for resolution in (Resolution.DISAGREE, Resolution.DISAGREE, Resolution.AGREE):
        earlier = reported_item(reason=ReportReason.IDENTIFIES_CHILD)
        Report.objects.filter(review_item=earlier).update(reporter=reporter)
        ReviewItem.objects.filter(pk=earlier.pk).update(
            resolution=resolution, resolved_at=timezone.now()
        )

    response = mod_client.get(QUEUE)

    assert "4 reports filed, 1 upheld, 2 rejected" in response.text
    assert "their urgent reports no longer hide posts at once" in response.text


def test_the_queue_shows_what_a_reporter_wrote_for_something_else(mod_client):
    reported_item(reason=ReportReason.OTHER, details="Mentions the placement address.")
    assert "Mentions the placement address." in mod_client.get(QUEUE).text


def test_held_posts_show_their_watch_list_matches_highlighted(mod_client):
    pattern = watch_pattern(name="Age of a young person")
    post = held_post(
        body="Our new resident, aged 15, settled in well.", hold_reason=HoldReason.WATCH_LIST
    )
    post.review_items.get().matched_patterns.add(pattern)

    response = mod_client.get(QUEUE)

    assert "<mark>aged 15</mark>" in response.text
    assert "Watch list: Age of a young person" in response.text


def test_a_watch_list_match_in_a_held_thread_s_title_is_highlighted(mod_client):
    pattern = watch_pattern(name="Age of a young person")
    thread = ThreadFactory(title="Settling in a new resident aged 15", state=ThreadState.HELD)
    post = held_post(thread=thread, body="What helped you?", hold_reason=HoldReason.WATCH_LIST)
    post.review_items.get().matched_patterns.add(pattern)

    response = mod_client.get(QUEUE)

    assert (
        "<strong>Title:</strong> Settling in a new resident <mark>aged 15</mark>" in response.text
    )


def test_a_post_its_author_edited_after_it_was_reported_says_so(mod_client):
    # A report that leaves the post up: one an urgent report hid is not its author's to
    # edit (forum/access.py).
    post = PostFactory(thread=thread_with_posts(posts=1), author=member_of_type())
    reported_item(post=post, reason=ReportReason.PERSONAL_DATA)
    post.refresh_from_db()
    posting.post_edit(editor=post.author, post=post, body="Nothing to see here now.")

    response = mod_client.get(QUEUE)

    assert "Edited by its author since it came to the queue" in response.text


def test_each_posts_text_in_the_queue_is_a_region_of_its_own_name(mod_client):
    """Posts of the same number in two threads: a screen reader's list of regions must
    tell their texts apart."""
    reported_item()
    reported_item()

    labels = re.findall(r'role="region" aria-label="([^"]+)"', mod_client.get(QUEUE).text)

    assert len(labels) == 2
    assert len(set(labels)) == 2


def test_post_text_in_the_queue_is_escaped(mod_client):
    held_post(body="<script>alert('x')</script> is not run")
    text = mod_client.get(QUEUE).text
    assert "<script>alert" not in text
    assert "&lt;script&gt;" in text


def test_urgent_items_come_first_then_the_oldest(mod_client):
    now = timezone.now()
    newest = reported_item(created_at=now - timedelta(minutes=5))
    oldest = reported_item(created_at=now - timedelta(hours=5))
    urgent = reported_item(reason=ReportReason.IDENTIFIES_CHILD, created_at=now)
    held = held_post(created_at=now - timedelta(hours=1)).review_items.get()

    entries = mod_client.get(QUEUE).context["entries"]

    assert [e.item.pk for e in entries] == [urgent.pk, oldest.pk, held.pk, newest.pk]


def test_items_waiting_over_24_hours_are_flagged(mod_client):
    old = reported_item(created_at=timezone.now() - timedelta(hours=25))
    fresh = reported_item(created_at=timezone.now() - timedelta(hours=23))

    response = mod_client.get(QUEUE)

    flagged = {e.item.pk: e.item.is_overdue for e in response.context["entries"]}
    assert flagged == {old.pk: True, fresh.pk: False}
    assert response.text.count("Waiting over 24 hours") == 1
    assert response.context["counts"]["overdue"] == 1


def test_an_item_becomes_overdue_as_time_passes(mod_client):
    reported_item()
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert mod_client.get(QUEUE).context["counts"]["overdue"] == 1


def test_resolved_items_leave_the_queue_and_appear_in_its_history(mod_client):
    item = reported_item()
    decide(mod_client, item, "ignore")
    assert mod_client.get(QUEUE).context["entries"] == []
    history = mod_client.get(QUEUE, {"show": "resolved"}).context["entries"]
    assert [e.item.pk for e in history] == [item.pk]


def test_an_item_names_the_visible_posts_that_quote_its_post(mod_client):
    thread = thread_with_posts(posts=2)
    quoting = PostFactory(
        thread=thread,
        body=f"> **Jo Whitfield** [wrote](/forum/t/{thread.pk}/p/1/):\n>\n> Our plan.\n\nSame here.",
    )
    reported_item(post=thread.posts.get(post_number=1))

    response = mod_client.get(QUEUE)

    [entry] = response.context["entries"]
    assert entry.quoted_in == [quoting]
    assert f"post #{quoting.post_number}</a>" in response.content.decode()


def test_the_queue_runs_the_same_number_of_queries_however_many_items(
    mod_client, django_assert_max_num_queries
):
    pattern = watch_pattern()

    def add_items(count: int) -> None:
        for _ in range(count):
            reported_item(reporters=2)
            post = held_post(body="aged 12", hold_reason=HoldReason.WATCH_LIST)
            item = post.review_items.get()
            item.matched_patterns.add(pattern)
            ReviewNote.objects.create(item=item, author=mod_client.moderator, text="Checking")

    add_items(1)
    mod_client.get(QUEUE)  # warm the per-process caches
    with django_assert_max_num_queries(20) as few:
        mod_client.get(QUEUE)
    add_items(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = mod_client.get(QUEUE)
    assert len(response.context["entries"]) == 18


# --- Resolutions --------------------------------------------------------------------------


def test_agreeing_with_a_report_hides_the_post_and_records_the_resolution(mod_client):
    item = reported_item()
    post = item.post

    response = decide(mod_client, item, "hide", note="Personal attack on a named manager")

    assert response.status_code == 302
    item.refresh_from_db()
    post.refresh_from_db()
    assert item.resolution == Resolution.AGREE
    assert item.resolved_by == mod_client.moderator
    assert post.state == PostState.HIDDEN
    assert ReviewNote.objects.get(item=item).text == "Personal attack on a named manager"
    actions = set(ModerationAction.objects.filter(post=post).values_list("action", flat=True))
    assert actions == {ModerationActionKind.HIDE, ModerationActionKind.RESOLVE}


def test_disagreeing_with_an_urgent_report_shows_the_hidden_post_again(mod_client):
    item = reported_item(reason=ReportReason.SAFEGUARDING)
    post = item.post
    assert post.state == PostState.HIDDEN

    decide(mod_client, item, "disagree")

    item.refresh_from_db()
    post.refresh_from_db()
    assert item.resolution == Resolution.DISAGREE
    assert post.state == PostState.VISIBLE
    assert Thread.objects.get(pk=post.thread_id).post_count == 2


def test_a_post_an_urgent_report_hid_is_not_said_to_be_hidden_by_a_moderator(mod_client):
    reported_item(reason=ReportReason.SAFEGUARDING)

    page = mod_client.get(QUEUE).text

    assert "Post hidden" in page
    assert "hidden by a moderator" not in page


def test_ignoring_a_report_leaves_the_post_as_it_is(mod_client):
    item = reported_item(reason=ReportReason.IDENTIFIES_CHILD)
    decide(mod_client, item, "ignore")
    item.refresh_from_db()
    assert item.resolution == Resolution.IGNORE
    assert item.post.__class__.objects.get(pk=item.post_id).state == PostState.HIDDEN


def test_agreeing_after_a_redaction_keeps_the_corrected_post_visible(mod_client):
    item = reported_item()
    decide(mod_client, item, "keep")
    item.refresh_from_db()
    assert item.resolution == Resolution.AGREE
    assert item.post.__class__.objects.get(pk=item.post_id).state == PostState.VISIBLE


def test_publishing_a_held_post_from_the_queue_records_agree_and_makes_it_visible(mod_client):
    post = held_thread()
    item = post.review_items.get()

    decide(mod_client, item, "publish")

    item.refresh_from_db()
    post.refresh_from_db()
    assert item.resolution == Resolution.AGREE
    assert post.state == PostState.VISIBLE
    assert Thread.objects.get(pk=post.thread_id).state == ThreadState.VISIBLE


def test_removing_a_held_post_from_the_queue_keeps_it_out(mod_client):
    post = held_post()
    item = post.review_items.get()
    decide(mod_client, item, "remove")
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN
    assert ModerationAction.objects.filter(post=post, action=ModerationActionKind.REJECT).exists()


def test_a_held_post_cannot_be_ignored(mod_client):
    item = held_post().review_items.get()
    response = decide(mod_client, item, "ignore")
    assert response.status_code == 400
    assert "Choose one of the options for decision" in response.text
    item.refresh_from_db()
    assert item.is_open


def test_a_resolution_without_a_decision_keeps_the_note_typed(mod_client):
    item = reported_item()
    response = decide(mod_client, item, "", note="Looked at the member's other posts")
    assert response.status_code == 400
    assert "Choose a decision." in response.text
    assert "Looked at the member&#x27;s other posts" in response.text


def test_an_item_resolved_by_someone_else_meanwhile_says_so(mod_client):
    item = reported_item()
    ReviewItem.objects.filter(pk=item.pk).update(
        resolution=Resolution.IGNORE, resolved_at=timezone.now()
    )
    response = decide(mod_client, item, "hide")
    assert response.status_code == 400
    assert "already dealt with" in response.text
    assert item.post.__class__.objects.get(pk=item.post_id).state == PostState.VISIBLE


def test_the_reports_end_with_their_item_and_a_new_report_opens_a_new_item(mod_client):
    item = reported_item()
    decide(mod_client, item, "disagree")
    post = item.post
    again = ReviewItem.objects.create(post=post, kind="reported")
    Report.objects.create(post=post, reporter=member_of_type(), reason="spam", review_item=again)
    entries = mod_client.get(QUEUE).context["entries"]
    assert [e.item.pk for e in entries] == [again.pk]


def test_a_private_note_can_be_added_without_resolving(mod_client):
    item = reported_item()
    url = reverse("forum:moderation_item_note", kwargs={"pk": item.pk})

    response = mod_client.post(url, {"text": "Asked the reporter for the thread link"})

    assert response.status_code == 302
    assert ReviewNote.objects.get(item=item).author == mod_client.moderator
    item.refresh_from_db()
    assert item.is_open
    page = mod_client.get(reverse("forum:moderation_item", kwargs={"pk": item.pk}))
    assert "Asked the reporter for the thread link" in page.text


def test_an_empty_note_is_refused_with_a_message(mod_client):
    item = reported_item()
    url = reverse("forum:moderation_item_note", kwargs={"pk": item.pk})
    response = mod_client.post(url, {"text": "  "})
    assert response.status_code == 400
    assert "Write the note first." in response.text


@pytest.mark.parametrize("refused", ["decision", "note"])
def test_after_a_refused_form_the_item_page_s_forms_come_back_to_it(mod_client, refused):
    item = reported_item()
    if refused == "decision":
        response = decide(mod_client, item, decision="", note="Looked at the thread")
    else:
        url = reverse("forum:moderation_item_note", kwargs={"pk": item.pk})
        response = mod_client.post(url, {"text": "  "})

    item_page = reverse("forum:moderation_item", kwargs={"pk": item.pk})
    assert response.status_code == 400
    nexts = re.findall(r'name="next" value="([^"]*)"', response.text)
    assert nexts and {address.split("#")[0] for address in nexts} == {item_page}


def test_a_decision_left_unchosen_is_tied_to_its_choices(mod_client):
    item = reported_item()

    response = decide(mod_client, item, decision="", note="Looked at the thread")

    html = response.text
    assert f'href="#item-{item.pk}-decision-0"' in html
    assert f'aria-describedby="item-{item.pk}-decision-error"' in html
    assert f'id="item-{item.pk}-decision-error"' in html
    assert "Looked at the thread" in html


def test_the_queue_s_post_tools_come_back_to_the_item_on_the_queue(mod_client):
    item = reported_item()

    html = mod_client.get(QUEUE).text

    assert f'id="item-{item.pk}"' in html
    nexts = re.findall(r'name="next" value="([^"]*)"', html)
    assert f"{QUEUE}#item-{item.pk}" in nexts
    assert not [n for n in nexts if "#post-" in n]


def test_members_never_see_private_notes(client):
    item = reported_item()
    ReviewNote.objects.create(item=item, text="Private")
    client.force_login(member_of_type())
    assert client.get(reverse("forum:moderation_item", kwargs={"pk": item.pk})).status_code == 403


def test_resolving_needs_the_csrf_token(client, moderator):
    item = reported_item()
    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.force_login(moderator)
    response = csrf_client.post(resolve_url(item), {f"item-{item.pk}-decision": "hide"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.is_open


def test_the_resolution_form_refuses_get(mod_client):
    item = reported_item()
    assert mod_client.get(resolve_url(item)).status_code == 405


def test_an_unknown_item_is_404(mod_client):
    assert mod_client.get(reverse("forum:moderation_item", kwargs={"pk": 99999})).status_code == 404


def test_resolving_records_an_audit_entry_with_the_decision(mod_client):
    item = reported_item(reporters=3)
    decide(mod_client, item, "hide")
    entry = ModerationAction.objects.get(action=ModerationActionKind.RESOLVE)
    assert entry.actor == mod_client.moderator
    assert entry.details["decision"] == "hide"
    assert entry.details["resolution"] == "agree"
    assert entry.details["reports"] == 3
