from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template

from forum.templatetags.forum_posts import day_date, iso_time, post_time


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 1, 5, 9, 3, tzinfo=UTC),  # winter: London is UTC
        datetime(2026, 7, 31, 23, 30, 15, 250000, tzinfo=UTC),  # summer: the next day there
        datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # an hour before the clocks change
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # as they change back
    ],
)
def test_post_times_read_as_the_date_filter_writes_them(moment):
    expected = Template(
        '{{ moment|date:"c" }}|{{ moment|date:"j M Y, H:i" }}|{{ moment|date:"j M Y" }}'
    ).render(Context({"moment": moment}))
    assert f"{iso_time(moment)}|{post_time(moment)}|{day_date(moment)}" == expected


def test_post_times_of_every_month_match_the_date_filter():
    start = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    template = Template('{{ moment|date:"j M Y, H:i" }}')
    for month in range(12):
        moment = start + timedelta(days=31 * month)
        assert post_time(moment) == template.render(Context({"moment": moment}))


def test_no_time_writes_nothing():
    assert iso_time(None) == post_time(None) == day_date(None) == ""
