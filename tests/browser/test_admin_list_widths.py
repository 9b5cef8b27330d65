"""The admin's lists on a 1,280 px screen: beside Django's menu and the filters a list
has about 630 px, and each fits it in its first order, its last columns in sight without
scrolling sideways (static/css/admin.css; the lists' columns)."""

import pytest

from tests.browser.conftest import signed_in
from tests.roles import staff, with_two_factor

LISTS = [
    "/admin/events/event/",
    "/admin/events/registration/",
    "/admin/forum/category/",
    "/admin/forum/thread/",
    "/admin/forum/watchpattern/",
    "/admin/members/invoice/",
    "/admin/members/organisation/",
    "/admin/members/plan/",
    "/admin/members/seat/",
    "/admin/members/user/",
    "/admin/practice_library/resource/",
    "/admin/sector_data/datasetversion/",
    "/admin/members/organisationdetailschange/",
]


def _rows_with_long_names() -> None:
    """A row or two in each list, with names and addresses as long as real ones run."""
    from django.utils import timezone

    from events.models import Registration
    from forum.models import WatchPattern
    from members.models import OrganisationDetailsChange, Plan
    from sector_data import services
    from tests.events.factories import EventFactory
    from tests.forum.factories import CategoryFactory, ThreadFactory, watch_pattern
    from tests.members.factories import (
        InvoiceFactory,
        OrganisationFactory,
        PlanFactory,
        SeatFactory,
        SubscriptionFactory,
        UserFactory,
    )
    from tests.practice_library.factories import ResourceFactory
    from tests.sector_data.factories import CouncilFactory, csv_file, mapped_dataset

    person = UserFactory(
        name="Oluwaseun Adeyemi-Whitfield",
        email="oluwaseun.adeyemi-whitfield@northmoorboroughcouncil.gov.uk",
        member_type="commissioner",
        region="west-midlands",
    )
    organisation = OrganisationFactory(
        name="Northmoor Borough Council Children's Residential Services",
        org_type="commissioner",
        region="yorkshire",
        verified_domain="northmoorboroughcouncil.gov.uk",
    )
    SeatFactory(organisation=organisation, user=person, is_admin=True, slot=1)
    category = CategoryFactory(name="Commissioning, sufficiency and placement planning")
    ThreadFactory(
        category=category,
        author=person,
        title="Keeping new residential care workers past their first six months: "
        "what has worked for your home?",
        is_pinned=True,
    )
    watch_pattern(
        name="NHS number written without spaces",
        pattern=r"(?:^|\D)(?P<hit>\d{3}[ -]?\d{3}[ -]?\d{4})(?:\D|$)",
        extra_check=WatchPattern.Check.NHS_NUMBER,
    )
    plan = PlanFactory(
        name="Council commissioning team (20 seats)",
        member_type="commissioner",
        organisation=True,
        seats=20,
        interval=Plan.Interval.YEAR,
        price_pence=1_200_000,
    )
    subscription = SubscriptionFactory(user=None, organisation=organisation, plan=plan)
    InvoiceFactory(subscription=subscription, amount_refunded_pence=60000)
    ResourceFactory(
        title="Reflective supervision for residential care workers: a practice guide",
        publish_at=timezone.now() + timezone.timedelta(days=7),
    )
    CouncilFactory(name="Northmoor (fictional)", slug="northmoor", region="west-midlands")
    dataset = mapped_dataset(title="Children's homes and places by council, England")
    services.dataset_version_upload(
        dataset=dataset,
        uploaded=csv_file(
            [
                ["Year", "Region", "Council", "Homes", "Places"],
                ["2023", "West Midlands", "Northmoor", "12", "44"],
            ],
            name="childrens-homes-and-places-by-council-2023-revised.csv",
        ),
        uploaded_by=person,
    )
    event = EventFactory(
        title="West Midlands commissioners' regional meeting: sufficiency and local places",
        format="in-person",
        region="west-midlands",
        capacity=40,
    )
    Registration.objects.create(
        event=event, user=person, status="confirmed", place=1, name=person.name,
        organisation_name=organisation.name, attended=True,
    )  # fmt: skip
    OrganisationDetailsChange.objects.create(
        organisation=organisation,
        changed_by=person,
        fields_changed=["name", "billing_email", "billing_address", "purchase_order_number"],
        values={"name": ["Northmoor Borough Council", organisation.name]},
    )


@pytest.mark.django_db(transaction=True)
def test_the_admin_s_lists_fit_beside_the_menu_and_filters_on_a_wide_screen(new_page, live_server):
    _rows_with_long_names()
    page = signed_in(new_page, live_server, with_two_factor(staff()), width=1280, height=900)

    too_wide = []
    for path in LISTS:
        page.goto(path)
        table, box = page.evaluate(
            "[document.querySelector('#result_list').scrollWidth,"
            " document.querySelector('#changelist .results').clientWidth]"
        )
        if table > box:  # the last columns out of sight, in a box that scrolls sideways
            too_wide.append(f"{path}: {table} px in {box}")

    assert too_wide == []
