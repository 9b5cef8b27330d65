"""The staff dashboard: each figure against numbers worked out by hand, and a bounded
number of queries whatever the number of days counted."""

import codecs
import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from insight import dashboard
from insight.periods import period_from
from members import access
from members.models import Invoice, Plan, Subscription, SubscriptionStatus
from tests import roles
from tests.insight.factories import days_of_activity
from tests.members.factories import (
    GrantFactory,
    InvoiceFactory,
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    SubscriptionFactory,
)
from tests.newsletter.factories import EditionFactory
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db

# The page's queries: session, user, MFA check, and the panels' fixed reads.
DASHBOARD_QUERIES = 48


def _period(key="30d", compare="previous"):
    return period_from({"period": key, "compare": compare})[1:]


def test_mrr_adds_monthly_annual_and_invoice_plans_by_the_month():
    monthly = PlanFactory(slug="m", interval=Plan.Interval.MONTH, price_pence=1_000)
    annual = PlanFactory(slug="a", interval=Plan.Interval.YEAR, price_pence=12_000)
    council = PlanFactory(
        slug="c", interval=Plan.Interval.YEAR, price_pence=1_200_000, organisation=True
    )  # £12,000 a year for its 10 seats: £1,200 a seat
    SubscriptionFactory(plan=monthly)  # £10 a month
    SubscriptionFactory(plan=annual)  # £120 a year: £10 a month
    SubscriptionFactory(
        plan=council,
        user=None,
        organisation=OrganisationFactory(),
        quantity=5,
        collection_method=Subscription.CollectionMethod.INVOICE,
        status=SubscriptionStatus.PAST_DUE,
    )  # 5 x £1,200 a year, by invoice: £500 a month
    SubscriptionFactory(plan=monthly, status=SubscriptionStatus.TRIALING)  # not paying yet
    SubscriptionFactory(plan=annual, status=SubscriptionStatus.CANCELED)

    total, rows = dashboard.monthly_recurring_revenue_pence()

    assert total == 52_000  # £520.00
    assert dashboard.revenue_mrr(_period()[0]).title == "Monthly recurring revenue: £520.00"
    assert len(rows) == 3


def test_mrr_counts_an_organisation_plan_s_price_once_for_the_seats_it_includes():
    council = PlanFactory(
        slug="council-organisation",
        interval=Plan.Interval.YEAR,
        price_pence=180_000,
        organisation=True,
        seats=20,
    )  # £1,800 a year for 20 seats, as the membership page shows it
    SubscriptionFactory(plan=council, user=None, organisation=OrganisationFactory(), quantity=20)

    total, _ = dashboard.monthly_recurring_revenue_pence()

    assert total == 15_000  # £150 a month, not 20 times that


def test_churn_is_memberships_ended_over_those_held_at_the_start():
    now = timezone.now()
    period, _ = _period()  # the last 30 days
    long_ago = now - timedelta(days=200)
    held = [SubscriptionFactory() for _ in range(3)]
    Subscription.objects.filter(pk__in=[s.pk for s in held]).update(created_at=long_ago)
    GrantFactory(starts_on=timezone.localdate() - timedelta(days=100))  # held too: 4 at start
    ended = held[0]
    Subscription.objects.filter(pk=ended.pk).update(
        status=SubscriptionStatus.CANCELED, ended_at=now - timedelta(days=5)
    )
    SubscriptionFactory()  # joined during the period
    SubscriptionFactory(status=SubscriptionStatus.INCOMPLETE_EXPIRED)  # never started

    changes = access.membership_changes(start=period.start, end=period.end)

    assert (changes.at_start, changes.joined, changes.lapsed) == (4, 1, 1)
    assert changes.churn_rate == 0.25
    rows = dashboard.membership_churn(period, None).rows
    assert rows[3][1] == "25.0%"


def test_a_staff_grant_ending_today_is_still_held_not_lapsed():
    today = timezone.localdate()
    GrantFactory(starts_on=today - timedelta(days=100), ends_on=today)
    period, _ = _period()  # the last 30 days, today the last

    changes = access.membership_changes(start=period.start, end=period.end)

    assert (changes.at_start, changes.lapsed) == (1, 0)


def test_a_staff_grant_lapses_the_day_after_its_last_day():
    today = timezone.localdate()
    GrantFactory(starts_on=today - timedelta(days=100), ends_on=today - timedelta(days=1))
    period, _ = _period()

    changes = access.membership_changes(start=period.start, end=period.end)

    assert (changes.at_start, changes.lapsed) == (1, 1)


def test_a_staff_grant_ending_on_the_last_day_of_the_period_before_lapses_in_that_period():
    period, previous = _period()
    GrantFactory(starts_on=previous.first - timedelta(days=10), ends_on=previous.last)

    before = access.membership_changes(start=previous.start, end=previous.end)
    now = access.membership_changes(start=period.start, end=period.end)

    assert (before.lapsed, now.at_start, now.lapsed) == (1, 0, 0)


def test_seats_used_and_bought_per_organisation():
    paying = OrganisationFactory(name="Paying Homes")
    SubscriptionFactory(
        user=None, organisation=paying, plan=PlanFactory(slug="o", organisation=True), quantity=5
    )
    SeatFactory(organisation=paying)
    SeatFactory(organisation=paying)
    granted = OrganisationFactory(name="Granted Homes")
    GrantFactory(user=None, organisation=granted, seats=3)
    SeatFactory(organisation=granted)

    rows = {row[0]: row[1:] for row in dashboard.seats(_period()[0]).rows}

    assert rows["Paying Homes"] == [2, 5, "40.0%"]
    assert rows["Granted Homes"] == [1, 3, "33.3%"]


def test_a_summary_counting_one_thing_reads_in_the_singular():
    council = OrganisationFactory(name="Northmoor Council")
    GrantFactory(user=None, organisation=council, seats=20)
    SeatFactory(organisation=council)

    summary = dashboard.seats(_period()[0]).summary

    assert summary == "1 of 20 seats used across 1 organisation."


def test_overdue_invoices_list_their_organisations():
    council = OrganisationFactory(name="Northmoor Council")
    subscription = SubscriptionFactory(
        user=None, organisation=council, plan=PlanFactory(slug="o2", organisation=True)
    )
    InvoiceFactory(subscription=subscription, due_date=timezone.now() - timedelta(days=10))
    InvoiceFactory(subscription=subscription)  # not due yet
    InvoiceFactory(
        subscription=subscription,
        due_date=timezone.now() - timedelta(days=10),
        status=Invoice.Status.PAID,
    )

    _, overdue, _ = dashboard.revenue_invoices(*_period())

    assert [row[0] for row in overdue.rows] == ["Northmoor Council"]
    assert overdue.rows[0][4] == 10


def test_an_edition_sent_after_midnight_in_summer_is_dated_that_day_in_london():
    from insight.dashboard.newsletter import newsletter_editions

    EditionFactory(started_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 BST

    editions, _ = newsletter_editions(period_from({}, today=date(2026, 7, 10))[1])

    assert editions.rows[0][1] == "1 Jul 2026"


def test_an_overdue_invoice_is_shown_due_on_its_day_in_london():
    council = OrganisationFactory(name="Northmoor Council")
    subscription = SubscriptionFactory(
        user=None, organisation=council, plan=PlanFactory(slug="o3", organisation=True)
    )
    InvoiceFactory(subscription=subscription, due_date=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))

    _, overdue, _ = dashboard.revenue_invoices(*_period())

    assert overdue.rows[0][3] == "1 Jul 2026"


def test_most_read_resources_come_from_the_daily_counts():
    resource = ResourceFactory(title="Staying close")
    days_of_activity(days=3, subject_id=resource.pk, last=timezone.localdate())

    table = dashboard.library_top(_period()[0], "resource_view")

    assert table.rows == [["Staying close", 9]]


@pytest.mark.parametrize("days", [10, 1000])
def test_the_dashboard_runs_a_bounded_number_of_queries(
    staff_client, django_assert_max_num_queries, days
):
    resource = ResourceFactory()
    days_of_activity(days=days, subject_id=resource.pk, last=timezone.localdate())
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = staff_client.get("/admin/insight/", {"period": "year"})
    assert response.status_code == 200


def test_staff_change_the_period_and_the_figures_follow(staff_client):
    resource = ResourceFactory(title="Staying close")
    days_of_activity(days=100, subject_id=resource.pk, last=timezone.localdate())

    month = staff_client.get("/admin/insight/", {"period": "30d"}).content.decode()
    quarter = staff_client.get("/admin/insight/", {"period": "quarter"}).content.decode()

    assert "<td>90</td>" in month  # 30 days x 3 reads
    assert "<td>273</td>" in quarter  # 91 days x 3 reads


def test_each_chart_is_an_svg_without_script_or_inline_style(staff_client):
    days_of_activity(days=40, subject_id=ResourceFactory().pk, last=timezone.localdate())
    page = staff_client.get("/admin/insight/").content.decode()
    assert page.count('role="img"') >= 4
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "style=" not in page


def test_a_table_downloads_as_csv_with_the_same_numbers(staff_client):
    resource = ResourceFactory(title="Staying close")
    days_of_activity(days=5, subject_id=resource.pk, last=timezone.localdate())

    response = staff_client.get("/admin/insight/most-read.csv", {"period": "30d"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["Resource", "Times read"], ["Staying close", "15"]]


def test_a_downloaded_table_tells_a_spreadsheet_it_is_utf8_so_pound_signs_survive(
    staff_client, member
):
    response = staff_client.get("/admin/insight/mrr.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(codecs.BOM_UTF8)
    assert "£" in response.content.decode("utf-8-sig")


def test_members_cannot_open_the_dashboard(client, member):
    client.force_login(member)
    response = client.get("/admin/insight/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_editors_cannot_open_the_dashboard_or_its_figures(client, editor):
    # Editors are staff for the library and the newsletter; the dashboard shows revenue
    # and who owes invoices.
    client.force_login(roles.with_two_factor(editor))

    assert client.get("/admin/insight/").status_code == 404
    assert client.get("/admin/insight/mrr.csv").status_code == 404
    assert "/admin/insight/" not in client.get("/admin/").text


def test_a_warmed_dashboard_is_served_without_counting_again(
    staff_client, django_assert_max_num_queries
):
    from insight import tasks

    days_of_activity(days=30, subject_id=ResourceFactory().pk, last=timezone.localdate())
    assert tasks.dashboard_warm() == 3

    # The session, two-factor and the header's notifications only (a cold page runs
    # DASHBOARD_QUERIES): every figure comes from the cache.
    with django_assert_max_num_queries(12):
        response = staff_client.get("/admin/insight/", {"period": "quarter"})
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_a_phone_s_chart_writes_few_enough_dates_not_to_run_together():
    from insight.charts import chart_svg
    from insight.tables import Chart, Table

    days = [f"{day} Nov 2026" for day in range(1, 9)]
    table = Table(
        slug="sign-ins", title="Sign-ins", headings=[], rows=[], summary="Sign-ins by day.",
        chart=Chart(kind="line", categories=days, series=[("Sign-ins", list(range(8)))]),
    )  # fmt: skip

    def written(svg: str) -> int:
        return sum(svg.count(f">{day}<") for day in days)

    assert written(chart_svg(table, narrow=True)) <= 4
    assert written(chart_svg(table)) == 8


def test_a_phone_s_chart_of_30_days_keeps_its_dates_a_label_apart():
    # "18 Nov 202628 Nov 2026" under the members chart on a phone, before.
    from lxml import etree

    from insight.charts import NARROW_LABEL_GAP, chart_svg
    from insight.tables import Chart, Table

    days = [f"{day} Nov 2026" for day in range(1, 31)]
    table = Table(
        slug="members", title="Members", headings=[], rows=[], summary="Members by day.",
        chart=Chart(kind="line", categories=days, series=[("Members", [10] * 30)]),
    )  # fmt: skip

    root = etree.fromstring(str(chart_svg(table, narrow=True)).encode())
    positions = [float(t.get("x")) for t in root.iter("{*}text") if t.text in days]

    assert len(positions) >= 2
    gaps = [later - earlier for earlier, later in itertools.pairwise(positions)]
    assert min(gaps) >= NARROW_LABEL_GAP


def test_a_chart_of_small_counts_writes_each_whole_number_once_on_its_axis():
    # "0 0 0 1 1 1 1 1 2 2 2" under a bar chart of members by region, before.
    from lxml import etree

    from insight.charts import chart_svg
    from insight.tables import Chart, Table

    table = Table(
        slug="regions", title="Members by region", headings=[], rows=[], summary="By region.",
        chart=Chart(kind="bar", categories=["London", "North East", "South West"],
                    series=[("Members", [2, 2, 1])]),
    )  # fmt: skip

    svg = etree.fromstring(str(chart_svg(table)))
    [axis] = [g for g in svg.iter("{*}g") if "always_show" in (g.get("class") or "")]

    assert [text.text for text in axis.iter("{*}text")] == ["0", "1", "2"]


def test_a_list_cut_short_still_counts_every_resource_past_its_review_date(monkeypatch):
    monkeypatch.setattr("insight.dashboard.library.REVIEW_DUE_LISTED", 2)
    for days in (30, 20, 10):
        ResourceFactory(review_due=timezone.localdate() - timedelta(days=days))

    table = dashboard.library_review_due(_period()[0])

    assert len(table.rows) == 2
    assert table.summary == (
        "3 resources are past their review date. The 2 longest overdue are listed."
    )
    assert table.listed_of == 3


def test_a_list_cut_short_says_how_long_the_whole_list_is(staff_client, monkeypatch):
    monkeypatch.setattr("insight.dashboard.library.REVIEW_DUE_LISTED", 2)
    for days in (30, 20, 10):
        ResourceFactory(review_due=timezone.localdate() - timedelta(days=days))

    page = staff_client.get("/admin/insight/").content.decode()

    assert "Figures: Resources past their review date (the first 2 of 3)" in page
