"""Moderation in the admin: the audit log is read-only with filters, search and CSV export;
the watch list is editable and explains bad patterns; suspensions can be lifted."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from forum.models import (
    ModerationAction,
    ModerationActionKind,
    Report,
    Resolution,
    ReviewItem,
    Suspension,
    WatchPattern,
)
from forum.moderation import actions, suspensions, threads
from tests import roles
from tests.forum.factories import member_of_type, thread_with_posts
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

LOG = reverse("admin:forum_moderationaction_changelist")
EXPORT = reverse("admin:forum_moderationaction_export")


@pytest.fixture
def log_entries(moderator):
    post = thread_with_posts(posts=2, title="Rota planning").posts.get(post_number=2)
    actions.post_hide(actor=moderator, post=post, reason="=HYPERLINK(evil)")
    threads.thread_lock(actor=moderator, thread=post.thread, reason="Cooling off")
    return ModerationAction.objects.order_by("id")


def test_staff_read_the_audit_log(staff_client, log_entries):
    response = staff_client.get(LOG)
    assert response.status_code == 200
    assert "Rota planning" in response.text
    assert "Cooling off" in response.text


def test_the_audit_log_filters_by_action_and_searches_reasons(staff_client, log_entries):
    by_action = staff_client.get(LOG, {"action__exact": ModerationActionKind.LOCK})
    assert list(by_action.context["cl"].queryset) == [log_entries.get(action="lock")]
    searched = staff_client.get(LOG, {"q": "Cooling"})
    assert [e.action for e in searched.context["cl"].queryset] == ["lock"]


def test_nobody_can_add_change_or_delete_log_entries_in_the_admin(staff_client, log_entries):
    entry = log_entries.first()
    assert staff_client.get(reverse("admin:forum_moderationaction_add")).status_code == 403
    change = reverse("admin:forum_moderationaction_change", args=[entry.pk])
    page = staff_client.get(change)
    assert page.status_code == 200  # view only
    assert 'name="_save"' not in page.text
    staff_client.post(change, {"reason": "Rewritten"})
    entry.refresh_from_db()
    assert entry.reason == "=HYPERLINK(evil)"
    delete = reverse("admin:forum_moderationaction_delete", args=[entry.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert ModerationAction.objects.filter(pk=entry.pk).exists()


def test_the_log_offers_no_bulk_actions(staff_client, log_entries):
    assert "action-toggle" not in staff_client.get(LOG).text


def test_staff_without_the_view_permission_cannot_read_the_log(client, log_entries):
    clerk = roles.with_two_factor(UserFactory(email="clerk@example.org", is_staff=True))
    client.force_login(clerk)
    assert client.get(LOG).status_code == 403
    assert client.get(EXPORT).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_moderationaction"))
    client.force_login(clerk)
    assert client.get(LOG).status_code == 200


def test_the_csv_export_follows_the_filters_and_neutralises_formulas(
    staff_client, log_entries, moderator
):
    response = staff_client.get(EXPORT, {"action__exact": ModerationActionKind.HIDE})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["action"] for row in rows] == ["hide"]
    assert rows[0]["reason"] == "'=HYPERLINK(evil)"
    assert rows[0]["actor"] == str(moderator)
    assert len(rows[0]["hash_before"]) == 64


def test_the_csv_export_writes_an_entry_s_details_as_json(staff_client, moderator):
    writer = member_of_type()
    suspensions.member_suspend(actor=moderator, member=writer, until=None, reason="Spam")
    entry = ModerationAction.objects.get(action=ModerationActionKind.SUSPEND)

    text = b"".join(staff_client.get(EXPORT).streaming_content).decode()

    [row] = [r for r in csv.DictReader(io.StringIO(text)) if r["action"] == "suspend"]
    assert json.loads(row["details"]) == entry.details


def test_the_change_list_links_to_the_export_with_its_filters(staff_client, log_entries):
    response = staff_client.get(LOG, {"action__exact": "lock"})
    assert f"{EXPORT}?action__exact=lock" in response.text


def test_staff_add_a_watch_list_pattern(staff_client):
    response = staff_client.post(
        reverse("admin:forum_watchpattern_add"),
        {
            "name": "Placement address",
            "kind": WatchPattern.Kind.WILDCARD,
            "pattern": "* Road",
            "extra_check": "",
            "action": WatchPattern.Action.HOLD,
            "message": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert WatchPattern.objects.filter(name="Placement address").exists()


def test_an_invalid_regular_expression_gets_a_clear_error(staff_client):
    response = staff_client.post(
        reverse("admin:forum_watchpattern_add"),
        {
            "name": "Broken",
            "kind": WatchPattern.Kind.REGEX,
            "pattern": "(unclosed",
            "extra_check": "",
            "action": WatchPattern.Action.HOLD,
            "message": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "This is not a valid regular expression" in response.text
    assert 'value="(unclosed"' in response.text
    assert not WatchPattern.objects.filter(name="Broken").exists()


def test_a_blocking_pattern_needs_a_message(staff_client):
    response = staff_client.post(
        reverse("admin:forum_watchpattern_add"),
        {
            "name": "Case numbers",
            "kind": WatchPattern.Kind.REGEX,
            "pattern": r"\bCASE-\d+\b",
            "extra_check": "",
            "action": WatchPattern.Action.BLOCK,
            "message": "",
            "is_active": "on",
        },
    )
    assert "Say what the writer should change." in response.text


def test_staff_who_moderate_lift_suspensions_in_the_admin_and_it_is_logged(staff_client, staff):
    writer = member_of_type()
    suspension = suspensions.member_suspend(actor=staff, member=writer, until=None, reason="Spam")
    response = staff_client.post(
        reverse("admin:forum_suspension_changelist"),
        {"action": "lift", "_selected_action": [suspension.pk], "confirmed": "yes"},
    )
    assert response.status_code == 302
    assert not Suspension.objects.in_force().filter(member=writer).exists()
    assert ModerationAction.objects.filter(action=ModerationActionKind.LIFT_SUSPENSION).exists()


def test_lifting_suspensions_in_the_admin_asks_first(staff_client, staff):
    writer = member_of_type()
    suspension = suspensions.member_suspend(actor=staff, member=writer, until=None, reason="Spam")

    response = staff_client.post(
        reverse("admin:forum_suspension_changelist"),
        {"action": "lift", "_selected_action": [suspension.pk]},
    )

    assert "Lift the selected suspensions: are you sure?" in response.content.decode()
    assert Suspension.objects.in_force().filter(member=writer).exists()


def test_suspensions_cannot_be_added_or_deleted_in_the_admin(staff_client):
    assert staff_client.get(reverse("admin:forum_suspension_add")).status_code == 403


def test_an_export_with_a_filter_that_cannot_apply_goes_back_to_the_list(staff_client):
    response = staff_client.get(EXPORT, {"created_at__year": "not-a-year"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_watch_list_admin_is_the_one_that_explains_patterns():
    from django.contrib import admin

    from forum.moderation.admin import WatchPatternAdmin

    assert type(admin.site._registry[WatchPattern]) is WatchPatternAdmin
    assert "message" in WatchPatternAdmin.search_fields


def test_a_lookaround_pattern_is_refused_in_the_admin_with_what_to_use_instead(staff_client):
    response = staff_client.post(
        reverse("admin:forum_watchpattern_add"),
        {
            "name": "Ten digits",
            "kind": WatchPattern.Kind.REGEX,
            "pattern": r"(?<!\d)\d{10}(?!\d)",
            "extra_check": "",
            "action": WatchPattern.Action.HOLD,
            "message": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Lookarounds" in response.text
    assert "(?P&lt;hit&gt;" in response.text
    assert not WatchPattern.objects.filter(name="Ten digits").exists()


def test_the_watch_list_is_registered_in_the_admin_once():
    from django.contrib import admin

    from forum import admin as forum_admin
    from forum.moderation import admin as moderation_admin

    registered = type(admin.site._registry[WatchPattern])
    defined = [
        module.WatchPatternAdmin
        for module in (forum_admin, moderation_admin)
        if hasattr(module, "WatchPatternAdmin")
    ]
    assert defined == [registered]


def test_staff_see_each_reporters_record_in_the_reports_admin(
    staff_client, django_assert_max_num_queries
):
    from tests.forum.factories import reported_item

    def add_reports(count: int) -> None:
        for _ in range(count):
            reported_item(reason="child")

    add_reports(1)
    reporter = Report.objects.get().reporter
    earlier = reported_item(reason="child")
    Report.objects.filter(review_item=earlier).update(reporter=reporter)
    ReviewItem.objects.filter(pk=earlier.pk).update(
        resolution=Resolution.DISAGREE, resolved_at=timezone.now()
    )
    changelist = reverse("admin:forum_report_changelist")
    with django_assert_max_num_queries(30) as few:
        response = staff_client.get(changelist)
    assert response.status_code == 200
    assert "2 filed, 0 upheld, 1 rejected" in response.text
    add_reports(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get(changelist).status_code == 200
