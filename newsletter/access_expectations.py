"""What each role gets from each newsletter URL (the project-wide access-matrix test).

Every public page opens for everyone: links in emails carry a signed token as their only
credential, so nobody needs to sign in to confirm, change preferences or unsubscribe. The
edition used is sent and public; a members-only edition's page asks the access policy
(tests/newsletter/test_archive.py covers it).
"""

from django.utils import timezone

from newsletter import tokens
from newsletter.models import Edition, Newsletter, Subscriber

ROLES = [
    "anonymous",
    "registered",
    "provider_member",
    "commissioner_member",
    "policy_member",
    "lapsed",
    "org_admin",
    "moderator",
    "editor",
    "staff",
]

EXPECTED: dict[str, dict[str, int]] = {
    "newsletter:index": {"*": 200},
    "newsletter:check_email": {"*": 200},
    "newsletter:confirm": {"*": 200},
    "newsletter:preferences": {"*": 200},
    "newsletter:unsubscribe": {"*": 200},
    "newsletter:archive": {"*": 200},
    "newsletter:edition": {"*": 200},
}


def url_kwargs(people: dict) -> dict[str, dict]:
    newsletter, _ = Newsletter.objects.get_or_create(
        slug="access-matrix-newsletter", defaults={"name": "Access matrix newsletter"}
    )
    subscriber, _ = Subscriber.objects.get_or_create(
        email="access-matrix-reader@example.org", defaults={"state": Subscriber.State.PENDING}
    )
    edition = Edition.objects.create(
        newsletter=newsletter,
        subject="Access matrix: a public edition",
        status=Edition.Status.SENT,
        finished_at=timezone.now(),
    )
    return {
        "newsletter:confirm": {
            "token": tokens.subscriber_token(subscriber, purpose=tokens.CONFIRM)
        },
        "newsletter:preferences": {
            "token": tokens.subscriber_token(subscriber, purpose=tokens.PREFERENCES)
        },
        "newsletter:unsubscribe": {
            "token": tokens.subscriber_token(subscriber, purpose=tokens.UNSUBSCRIBE)
        },
        "newsletter:edition": {"pk": edition.pk},
    }
