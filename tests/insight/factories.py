"""Days of counted activity, as the rollup leaves them."""

from datetime import date, timedelta

from insight.models import DailyActivity, Kind, MemberCount, SubscriberCount
from members.models import MemberType


def days_of_activity(*, days: int, organisation=None, subject_id: int = 1, last: date) -> None:
    """`days` days up to `last`: reads, downloads, posts and sign-ins, members and
    subscribers, in the shape activity_rollup writes them."""
    rows, members, subscribers = [], [], []
    for offset in range(days):
        day = last - timedelta(days=offset)
        for kind in (Kind.RESOURCE_VIEW, Kind.RESOURCE_DOWNLOAD, Kind.FORUM_REPLY, Kind.SIGN_IN):
            rows.append(
                DailyActivity(
                    day=day,
                    kind=kind,
                    organisation=organisation,
                    member_type=MemberType.PROVIDER,
                    subject_id=subject_id,
                    count=3,
                    people=3,
                )
            )
        rows.append(
            DailyActivity(
                day=day, kind=Kind.LIBRARY_SEARCH_EMPTY, term=f"words {offset % 7}", count=1
            )
        )
        members.append(
            MemberCount(day=day, member_type=MemberType.PROVIDER, source="personal", members=50)
        )
        subscribers.append(SubscriberCount(day=day, subscribers=200))
    DailyActivity.objects.bulk_create(rows)
    MemberCount.objects.bulk_create(members)
    SubscriberCount.objects.bulk_create(subscribers)
