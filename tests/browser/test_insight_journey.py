"""Insight in Chromium: staff open the dashboard, change the period and download a
CSV; an organisation's admin sees their organisation's use. axe finds nothing serious,
charts included, and the CSP blocks nothing."""

import csv
import io
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from insight import services
from insight.models import ActivityEvent, Kind
from tests.browser.conftest import assert_accessible, signed_in, watch_csp
from tests.insight.factories import days_of_activity
from tests.members.factories import SeatFactory, UserFactory, organisation_with_seats
from tests.practice_library.factories import ResourceFactory


@pytest.mark.django_db(transaction=True)
def test_staff_read_the_dashboard_change_the_period_and_download_a_table(new_page, live_server):
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    guide = ResourceFactory(title="Staying close")
    days_of_activity(days=120, subject_id=guide.pk, last=timezone.localdate())

    page = signed_in(new_page, live_server, staff)
    violations = watch_csp(page)
    page.goto("/admin/")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("heading", name="Dashboard", exact=True).wait_for()
    most_read = page.locator("#most-read-caption").locator("xpath=ancestor::table")
    assert most_read.locator("tbody tr").first.locator("td").inner_text() == "90"
    assert page.locator("svg[role=img] > title").count() >= 4
    assert_accessible(page)

    page.get_by_role("combobox", name="Period").select_option(label="Last quarter (91 days)")
    page.get_by_role("button", name="Show figures").click()
    page.get_by_text("Showing").wait_for()
    assert "period=quarter" in page.url
    assert most_read.locator("tbody tr").first.locator("td").inner_text() == "273"
    assert_accessible(page)

    with page.expect_download() as download:
        page.locator("a[href*='most-read.csv']").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows == [["Resource", "Times read"], ["Staying close", "273"]]
    assert violations == []

    # On a phone the admin's index keeps to the screen, the narrow drawing shows and
    # the page still reads.
    phone = signed_in(new_page, live_server, staff, width=320, height=800)
    phone.goto("/admin/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    phone.goto("/admin/insight/")
    assert phone.locator(".data-chart__narrow svg").first.is_visible()
    assert not phone.locator(".data-chart__wide svg").first.is_visible()
    assert_accessible(phone)


@pytest.mark.django_db(transaction=True)
def test_an_organisation_admin_sees_their_people_s_use(new_page, live_server):
    organisation, admin = organisation_with_seats(seats=10, name="Northmoor Council")
    colleagues = [SeatFactory(organisation=organisation, slot=n).user for n in (2, 3)]
    guide = ResourceFactory(title="Staying close")
    for person in [admin, *colleagues]:
        ActivityEvent.objects.create(
            kind=Kind.RESOURCE_VIEW,
            at=timezone.now() - timedelta(days=2),
            user=person,
            organisation=organisation,
            subject_id=guide.pk,
        )
    services.activity_rollup(day=timezone.localdate() - timedelta(days=2))

    page = signed_in(new_page, live_server, admin)
    violations = watch_csp(page)
    page.goto(f"/account/organisation/{organisation.slug}/")
    page.get_by_role("link", name="How your people use the membership").click()
    page.get_by_role(
        "heading", name="Northmoor Council: how your people use the membership"
    ).wait_for()
    top = page.locator("#top-read-caption").locator("xpath=ancestor::table")
    assert top.locator("tbody tr").first.inner_text().split("\t") == ["Staying close", "3", "3"]
    assert page.get_by_text("People active in the last 30 days").is_visible()
    assert_accessible(page)
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_an_organisation_s_figures_keep_a_320_px_page_from_scrolling_sideways(
    new_page, live_server
):
    organisation, admin = organisation_with_seats(seats=10, name="Northmoor Council")
    # One reader: the change against the period before is withheld ("fewer than 3").
    ActivityEvent.objects.create(
        kind=Kind.RESOURCE_VIEW,
        at=timezone.now() - timedelta(days=2),
        user=admin,
        organisation=organisation,
        subject_id=ResourceFactory().pk,
    )
    services.activity_rollup(day=timezone.localdate() - timedelta(days=2))
    page = signed_in(new_page, live_server, admin, width=320, height=800)

    page.goto(f"/insight/organisations/{organisation.slug}/")

    # A table wider than the screen scrolls inside its own box; the words kept for
    # screen readers in its cells must not widen the page beyond it.
    assert page.locator(".table-scroll").first.evaluate("box => box.scrollWidth > box.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    # Words in the cells break between words, never inside one ("fewe r than 3").
    assert page.evaluate(WORDS_SPLIT_ACROSS_LINES) == []
    assert_accessible(page)


# Every word of a data table's cells drawn on more than one line (screen-reader-only
# text, drawn in a 1 px box, aside).
WORDS_SPLIT_ACROSS_LINES = """() => {
  const split = [];
  for (const cell of document.querySelectorAll(".data-table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(".visually-hidden")) continue;
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
        if (lines.size > 1) split.push(word[0]);
      }
    }
  }
  return split;
}"""
