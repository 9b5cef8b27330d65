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
