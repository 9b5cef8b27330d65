from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from network.templatetags.dates import ago, day_date, iso_date, iso_time, long_date, post_time

MOMENTS = [
    datetime(2026, 1, 5, 9, 3, tzinfo=UTC),  # winter: London is UTC
    datetime(2026, 7, 31, 23, 30, 15, 250000, tzinfo=UTC),  # summer: the next day there
    datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # an hour before the clocks change
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # as they change back
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_dates_read_as_the_date_filter_writes_them(moment):
    expected = Template(
        '{{ moment|date:"c" }}|{{ moment|date:"Y-m-d" }}|{{ moment|date:"j M Y, H:i" }}|'
        '{{ moment|date:"j M Y" }}|{{ moment|date:"j F Y" }}'
    ).render(Context({"moment": moment}))
    written = [iso_time(moment), iso_date(moment), post_time(moment)]
    assert "|".join([*written, day_date(moment), long_date(moment)]) == expected


def test_dates_of_every_month_match_the_date_filter():
    start = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    template = Template('{{ moment|date:"j M Y, H:i" }} {{ moment|date:"j F Y" }}')
    for month in range(12):
        moment = start + timedelta(days=31 * month)
        written = f"{post_time(moment)} {long_date(moment)}"
        assert written == template.render(Context({"moment": moment}))


def test_no_time_writes_nothing():
    assert iso_time(None) == iso_date(None) == post_time(None) == ""
    assert day_date(None) == long_date(None) == ""


def test_the_admins_default_formats_use_the_24_hour_clock_as_the_site_does():
    moment = datetime(2026, 12, 6, 23, 25, tzinfo=UTC)

    written = Template("{{ moment }}|{{ moment|time }}|{{ moment|date:'SHORT_DATETIME_FORMAT' }}")

    assert written.render(Context({"moment": moment})) == "6 Dec 2026, 23:25|23:25|06/12/2026 23:25"


def test_a_moment_ago_reads_just_now_and_later_as_time_since():
    now = timezone.now()

    assert ago(now - timedelta(seconds=20)) == "just now"
    assert ago(now - timedelta(hours=3, seconds=5)) == "3\xa0hours ago"
