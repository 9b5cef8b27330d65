import pytest
from django.core.management import call_command

from insight.models import ActivityEvent, DailyActivity, Kind

pytestmark = pytest.mark.django_db

# Activity is invented for the demo organisations' seats, on the demo library.
INSIGHT_DEMO = ("network", "members", "practice_library", "insight")


def test_the_demo_has_two_months_of_counts_and_invents_none_a_second_time():
    call_command("seed_demo", *INSIGHT_DEMO, verbosity=0)
    events = ActivityEvent.objects.count()

    call_command("seed_demo", *INSIGHT_DEMO, verbosity=0)

    assert events > 0 and ActivityEvent.objects.count() == events
    assert (
        DailyActivity.objects.filter(kind=Kind.RESOURCE_VIEW).values("day").distinct().count() > 50
    )


def test_the_demo_s_churn_counts_its_members_from_before_the_period():
    from datetime import timedelta

    from django.utils import timezone

    from members.access.bulk import membership_changes

    call_command("seed_demo", "network", "members", verbosity=0)
    now = timezone.now()

    changes = membership_changes(start=now - timedelta(days=30), end=now)

    # The lapsed member's subscription began long before it ended 20 days ago.
    assert changes.lapsed == 1
    assert changes.at_start > 1
    assert changes.churn_rate < 0.5
