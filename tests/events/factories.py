"""Events factories: a published webinar ten days ahead, open to registered people."""

from datetime import timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify

from events import services
from events.models import Eligibility, Event, EventFormat, EventStatus


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Preparing for inspection, session {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title)[:100])
    status = EventStatus.PUBLISHED
    format = EventFormat.WEBINAR
    region = "online"
    summary = "What inspectors look for, and how to prepare your team."
    description = "## Programme\n\nTalks and questions."
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1, minutes=30))
    eligibility = Eligibility.REGISTERED
    capacity = 30
    online_link = "https://meet.example.org/inspection-session"

    @factory.post_generation
    def prepared(obj, create, extracted, **kwargs):
        if create:
            services.event_prepare(event=obj)
            obj.save()

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.topics.set(extracted)


def in_person(**fields) -> Event:
    defaults = {
        "format": EventFormat.IN_PERSON,
        "region": "west-midlands",
        "venue": "Foundry Hall (fictional)",
        "address": "12 Canal Street\nNorthmoor",
        "travel_notes": "Step-free entrance on Canal Street.",
        "online_link": "",
    }
    return EventFactory(**{**defaults, **fields})
