import factory

from newsletter.models import Edition, Newsletter, Section, Subscriber


class NewsletterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Newsletter
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Practice update {n}")
    slug = factory.Sequence(lambda n: f"practice-update-{n}")
    description = "News and practice for people improving children's homes."


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    state = Subscriber.State.SUBSCRIBED

    @factory.post_generation
    def newsletters(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.newsletters.set(extracted)


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    newsletter = factory.SubFactory(NewsletterFactory)
    subject = factory.Sequence(lambda n: f"Staying Close and workforce news, number {n}")
    preheader = "What inspection looks for in leadership, and a new commissioning guide."
    introduction = "Welcome to this edition. **Three things** changed this month."


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    edition = factory.SubFactory(EditionFactory)
    title = "From the forum"
    body = "Members compared notes on [Regulation 44 visits](https://example.org/reg44)."


def subscribers(newsletter, count: int, **fields) -> list[Subscriber]:
    return [SubscriberFactory(newsletters=[newsletter], **fields) for _ in range(count)]
