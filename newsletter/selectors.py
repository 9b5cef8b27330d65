"""Read queries: which newsletters a person may receive, an edition's audience, the archive."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from members import access
from members.models import MemberType
from newsletter.models import Delivery, Edition, Newsletter, Subscriber


def newsletters_open_to(user) -> list[Newsletter]:
    """Active newsletters this person may receive (restricted ones need that member type)."""
    newsletters = list(Newsletter.objects.filter(is_active=True))
    kind = access.member_type(user) if user is not None else None
    return [n for n in newsletters if not n.restricted_to or n.restricted_to == kind]


def _users(q) -> QuerySet:
    return get_user_model().objects.filter(q).values("pk")


def edition_audience(edition: Edition) -> QuerySet[Subscriber]:
    """Subscribers the edition goes to now: subscribed to its newsletter, allowed to
    receive it, and inside the edition's filters. Evaluated in SQL, never in Python."""
    audience = Subscriber.objects.filter(
        state=Subscriber.State.SUBSCRIBED, newsletters=edition.newsletter_id
    )
    restricted_to = edition.newsletter.restricted_to
    if restricted_to:
        audience = audience.filter(user__in=_users(access.members_now_q(member_type=restricted_to)))
    if edition.audience_member_type:
        audience = audience.filter(
            user__in=_users(access.members_now_q(member_type=edition.audience_member_type))
        )
    elif edition.audience_members_only:
        audience = audience.filter(user__in=_users(access.members_now_q()))
    if edition.audience_region:
        audience = audience.filter(user__region=edition.audience_region)
    return audience


def edition_audience_count(edition: Edition) -> int:
    return edition_audience(edition).count()


def archive_editions() -> QuerySet[Edition]:
    return (
        Edition.objects.filter(status=Edition.Status.SENT)
        .select_related("newsletter")
        .order_by("-finished_at", "-pk")
    )


def edition_counts(edition: Edition) -> dict[str, int]:
    """Deliveries by state, every state present (0 when none)."""
    counts = dict.fromkeys(Delivery.State.values, 0)
    rows = Delivery.objects.filter(edition=edition).values("state").annotate(n=Count("pk"))
    for row in rows.order_by():
        counts[row["state"]] = row["n"]
    counts["total"] = sum(counts[state] for state in Delivery.State.values)
    counts["remaining"] = counts[Delivery.State.PENDING] + counts[Delivery.State.SENDING]
    return counts


def email_choices_of(user) -> dict:
    """The signed-in person's newsletter state and choices (their account page panel)."""
    subscriber = (
        Subscriber.objects.filter(user=user).prefetch_related("newsletters", "topics").first()
        or Subscriber.objects.filter(email=user.email.lower())
        .prefetch_related("newsletters", "topics")
        .first()
    )
    if subscriber is None:
        return {"state": None, "email": user.email}
    return {
        "state": subscriber.state,
        "email": subscriber.email,
        "newsletters": list(subscriber.newsletters.all()),
        "weekly_digest": subscriber.weekly_digest,
        "daily_digest": subscriber.daily_digest,
        "topics": list(subscriber.topics.all()),
    }


def latest_edition_for(user) -> Edition | None:
    """The most recent sent edition whose archive page `user` may open (the edition
    view's rule: a members-only archive needs membership, and the newsletter's member
    type when it is for one type)."""
    members_level = access.AccessLevel.MEMBERS
    readable = Q(archive_access=Edition.ArchiveAccess.PUBLIC)
    if access.can_read_level(user, members_level):
        types = ["", *MemberType.values]
        readable |= Q(
            archive_access=Edition.ArchiveAccess.MEMBERS,
            newsletter__restricted_to__in=[
                t for t in types if access.can_read_for_member_type(user, members_level, t)
            ],
        )
    return archive_editions().filter(readable).first()
