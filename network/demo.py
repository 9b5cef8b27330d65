"""Demo content of the site-wide kind: the topic taxonomy."""

from django.utils.text import slugify

from network.models import Topic

TOPICS = [
    "Leadership and management",
    "Workforce and training",
    "Inspection and quality",
    "Commissioning and contracts",
    "Safeguarding",
    "Education",
    "Health and wellbeing",
    "Therapeutic practice",
    "Leaving care and Staying Close",
    "Participation and children's voice",
    "Data and research",
    "Policy and reviews",
]


def seed() -> None:
    for order, name in enumerate(TOPICS):
        Topic.objects.update_or_create(slug=slugify(name), defaults={"name": name, "order": order})
