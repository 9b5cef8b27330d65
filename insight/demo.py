"""Demo activity: two months of reads, downloads, sign-ins and posts by the demo
organisations' people, rolled up, so the dashboard and the organisation report show
something on a fresh `make run`. Only when no activity was ever recorded, so a site in
use never gets invented counts."""

import random
import uuid
from datetime import timedelta

from django.utils import timezone

from insight import services
from insight.models import ActivityEvent, Kind
from members.models import Seat
from practice_library.models import Resource

DAYS = 60
SEED = 16


def seed() -> None:
    if ActivityEvent.objects.exists():
        return
    rng = random.Random(SEED)
    seats = list(Seat.objects.select_related("organisation", "user"))
    resources = list(Resource.objects.live().values_list("pk", flat=True)[:30])
    if not seats or not resources:
        return
    now = timezone.now()
    kinds = [Kind.RESOURCE_VIEW] * 5 + [Kind.RESOURCE_DOWNLOAD, Kind.SIGN_IN, Kind.SIGN_IN]
    events = []
    for offset in range(DAYS):
        for _ in range(rng.randint(5, 25)):
            seat = rng.choice(seats)
            kind = rng.choice(kinds)
            events.append(
                ActivityEvent(
                    uid=uuid.UUID(int=rng.getrandbits(128)),
                    kind=kind,
                    at=now - timedelta(days=offset, minutes=rng.randint(0, 600)),
                    user=seat.user,
                    organisation=seat.organisation,
                    member_type=seat.organisation.org_type,
                    region=seat.user.region or seat.organisation.region,
                    subject_id=rng.choice(resources) if kind != Kind.SIGN_IN else None,
                )
            )
    ActivityEvent.objects.bulk_create(events)
    today = timezone.localdate()
    for offset in range(DAYS + 1):
        services.activity_rollup(day=today - timedelta(days=offset))
