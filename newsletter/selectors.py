"""Read queries: which newsletters a person may receive, an edition's audience, the archive."""

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When

from members import access, email_pause
from members.models import MemberType
from newsletter.models import Delivery, Edition, Newsletter, Subscriber


def newsletters_open_to(user) -> list[Newsletter]:
    """Active newsletters this person may receive (restricted ones need that member type)."""
    newsletters = list(Newsletter.objects.filter(is_active=True))
    kind = access.member_type(user) if user is not None else None
    return [n for n in newsletters if not n.restricted_to or n.restricted_to == kind]


def _users(q) -> QuerySet:
    return get_user_model().objects.filter(q).values("pk")


def mailable(subscribers: QuerySet[Subscriber]) -> QuerySet[Subscriber]:
    """Of `subscribers`, those who may be sent the newsletter or a digest now: not a
    person waiting for their account to be deleted (members.email_pause), by account or
    by address (a subscriber row need not be linked to the account)."""
    return subscribers.exclude(user__in=email_pause.optional_email_paused_users()).exclude(
        email__in=email_pause.optional_email_paused_addresses()
    )


def edition_audience(edition: Edition) -> QuerySet[Subscriber]:
    """Subscribers the edition goes to now: subscribed to its newsletter, allowed to
    receive it, and inside the edition's filters. Evaluated in SQL, never in Python."""
    audience = mailable(
        Subscriber.objects.filter(
            state=Subscriber.State.SUBSCRIBED, newsletters=edition.newsletter_id
        )
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
    # The row linked to the account wins over one that only shares its address.
    subscriber = (
        Subscriber.objects.filter(Q(user=user) | Q(email=user.email.lower()))
        .order_by(Case(When(user=user, then=0), default=1), "email")
        .first()
    )
    if subscriber is None:
        return {"state": None, "email": user.email}
    # The names of both choices in one round trip, each in its own order (order, name).
    chosen_newsletters = Subscriber.newsletters.through.objects.filter(
        subscriber=subscriber
    ).values_list(
        Value("newsletter", output_field=CharField()), "newsletter__order", "newsletter__name"
    )
    chosen_topics = Subscriber.topics.through.objects.filter(subscriber=subscriber).values_list(
        Value("topic", output_field=CharField()), "topic__order", "topic__name"
    )
    chosen = sorted(chosen_newsletters.union(chosen_topics, all=True))
    return {
        "state": subscriber.state,
        "email": subscriber.email,
        "newsletters": [name for kind, _, name in chosen if kind == "newsletter"],
        "weekly_digest": subscriber.weekly_digest,
        "daily_digest": subscriber.daily_digest,
        "topics": [name for kind, _, name in chosen if kind == "topic"],
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
