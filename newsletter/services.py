"""Business operations of the newsletter: subscribing, consent, editions and their sending.

Each outermost operation runs in one durable transaction; emails and tasks go out after
the commit. The sending engine itself is in newsletter/sending.py.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from network.mail import build_email, site_url
from network.models import Topic
from newsletter import selectors, tokens
from newsletter.messages import MessageTemplate
from newsletter.models import Consent, Delivery, Edition, Newsletter, Subscriber
from newsletter.rendering import edition_render, personal_for
from newsletter.sending import new_message_id

logger = logging.getLogger(__name__)

State = Subscriber.State

# The words a person agrees to; stored with each consent record exactly as shown.
CONSENT_TEXT = (
    "Yes, email me what I have ticked. I can change my choices or unsubscribe at any "
    "time from a link in every email."
)


def _choices_snapshot(subscriber: Subscriber) -> dict:
    return {
        "newsletters": sorted(subscriber.newsletters.values_list("slug", flat=True)),
        "weekly_digest": subscriber.weekly_digest,
        "daily_digest": subscriber.daily_digest,
        "topics": sorted(subscriber.topics.values_list("slug", flat=True)),
    }


def _consent_record(subscriber: Subscriber, *, action: str, form: str, text: str) -> Consent:
    return Consent.objects.create(
        subscriber=subscriber,
        action=action,
        form=form[:50],
        text=text,
        choices=_choices_snapshot(subscriber),
    )


def _set_choices(
    subscriber: Subscriber,
    *,
    newsletters: Iterable[Newsletter],
    weekly_digest: bool,
    daily_digest: bool,
    topics: Iterable[Topic],
) -> None:
    subscriber.weekly_digest = weekly_digest
    subscriber.daily_digest = daily_digest
    subscriber.save(update_fields=["weekly_digest", "daily_digest"])
    subscriber.newsletters.set(list(newsletters))
    subscriber.topics.set(list(topics))


def _send_confirmation(subscriber_id: int) -> None:
    from newsletter.tasks import subscriber_confirmation_send

    subscriber_confirmation_send.delay_on_commit(subscriber_id)


def subscriber_sign_up(
    *,
    email: str,
    name: str = "",
    newsletters: Iterable[Newsletter],
    weekly_digest: bool = False,
    daily_digest: bool = False,
    topics: Iterable[Topic] = (),
    form: str,
    consent_text: str = CONSENT_TEXT,
) -> Subscriber:
    """A sign-up by email address: nothing is sent to the list until the person confirms
    from the link we email (double opt-in). The answer never reveals whether the address
    was known: an address already subscribed gets a link to its preferences instead."""
    email = email.strip().lower()
    with transaction.atomic(durable=True):
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(email=email)
        if subscriber.state == State.SUBSCRIBED:
            from newsletter.tasks import subscriber_already_subscribed_send

            subscriber_already_subscribed_send.delay_on_commit(subscriber.pk)
            return subscriber
        subscriber.state = State.PENDING
        if name and not subscriber.name:
            subscriber.name = name
        subscriber.save(update_fields=["state", "name"])
        _set_choices(
            subscriber,
            newsletters=newsletters,
            weekly_digest=weekly_digest,
            daily_digest=daily_digest,
            topics=topics,
        )
        _consent_record(subscriber, action=Consent.Action.SIGNED_UP, form=form, text=consent_text)
        _send_confirmation(subscriber.pk)
    return subscriber


def subscriber_confirmation_email(subscriber: Subscriber):
    token = tokens.subscriber_token(subscriber, purpose=tokens.CONFIRM)
    return build_email(
        template="newsletter/emails/confirm",
        context={
            "confirm_url": site_url(reverse("newsletter:confirm", args=[token])),
            "choices": [str(n) for n in subscriber.newsletters.all()]
            + (["the weekly digest"] if subscriber.weekly_digest else [])
            + (["the daily digest"] if subscriber.daily_digest else []),
            "days": settings.NEWSLETTER_CONFIRM_DAYS,
        },
        subject=f"Please confirm your subscription to {settings.SITE_NAME}",
        to=[subscriber.email],
    )


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    """The person opened the link from the confirmation email (also after a bounce)."""
    with transaction.atomic(durable=True):
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.state == State.SUBSCRIBED:
            return subscriber
        signed_up = subscriber.consents.filter(action=Consent.Action.SIGNED_UP).first()
        subscriber.state = State.SUBSCRIBED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["state", "confirmed_at"])
        _consent_record(
            subscriber,
            action=Consent.Action.CONFIRMED,
            form="confirmation link",
            text=signed_up.text if signed_up else CONSENT_TEXT,
        )
    return subscriber


def subscriber_for_user(user) -> Subscriber | None:
    return (
        Subscriber.objects.filter(user=user).first()
        or Subscriber.objects.filter(email=user.email.lower()).first()
    )


def subscriber_subscribe_account(
    *,
    user,
    newsletters: Iterable[Newsletter],
    weekly_digest: bool,
    daily_digest: bool,
    topics: Iterable[Topic],
    form: str,
    consent_text: str = CONSENT_TEXT,
) -> Subscriber:
    """A signed-in person with a verified address chooses what to receive: no second
    confirmation is needed."""
    with transaction.atomic(durable=True):
        subscriber = subscriber_for_user(user)
        if subscriber is None:
            subscriber = Subscriber(email=user.email.lower())
        subscriber.user = user
        subscriber.email = user.email.lower()
        subscriber.name = subscriber.name or user.name
        subscriber.state = State.SUBSCRIBED
        subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        subscriber.full_clean(exclude=["key"])
        subscriber.save()
        _set_choices(
            subscriber,
            newsletters=newsletters,
            weekly_digest=weekly_digest,
            daily_digest=daily_digest,
            topics=topics,
        )
        _consent_record(subscriber, action=Consent.Action.ACCOUNT, form=form, text=consent_text)
    return subscriber


def subscriber_update_preferences(
    *,
    subscriber: Subscriber,
    newsletters: Iterable[Newsletter],
    weekly_digest: bool,
    daily_digest: bool,
    topics: Iterable[Topic],
    form: str = "preferences page",
) -> Subscriber:
    """Choices changed from the link in an email. An address that bounced or complained
    stays suppressed: only a fresh confirmation brings it back."""
    with transaction.atomic(durable=True):
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        _set_choices(
            subscriber,
            newsletters=newsletters,
            weekly_digest=weekly_digest,
            daily_digest=daily_digest,
            topics=topics,
        )
        if subscriber.state == State.UNSUBSCRIBED:
            subscriber.state = State.SUBSCRIBED
            subscriber.unsubscribed_at = None
            subscriber.save(update_fields=["state", "unsubscribed_at"])
        _consent_record(subscriber, action=Consent.Action.PREFERENCES, form=form, text=CONSENT_TEXT)
    return subscriber


def subscriber_unsubscribe(*, subscriber: Subscriber, form: str) -> Subscriber:
    """Stop everything at once: no newsletter, no digest, not even from a chunk already
    queued (the sending engine re-reads the state before it sends)."""
    with transaction.atomic(durable=True):
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.state in (State.SUBSCRIBED, State.PENDING):
            subscriber.state = State.UNSUBSCRIBED
        subscriber.unsubscribed_at = subscriber.unsubscribed_at or timezone.now()
        subscriber.save(update_fields=["state", "unsubscribed_at"])
        _consent_record(
            subscriber,
            action=Consent.Action.WITHDRAWN,
            form=form,
            text="Unsubscribed from everything.",
        )
    return subscriber


def subscribers_expire_unconfirmed(*, now: datetime | None = None) -> int:
    """Delete sign-ups never confirmed within the link's lifetime (and their records)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS)
    with transaction.atomic(durable=True):
        # Measured from the latest confirmation email, so signing up again restarts it.
        stale = Subscriber.objects.filter(
            state=State.PENDING, confirmed_at__isnull=True, user__isnull=True
        ).filter(
            Q(confirmation_sent_at__lt=cutoff)
            | Q(confirmation_sent_at__isnull=True, created_at__lt=cutoff)
        )
        deleted, _ = stale.delete()
    return deleted


def subscriber_tracking_event(*, email: str, event_type: str) -> None:
    """Bounces and complaints reported by the email service (anymail tracking webhooks)."""
    email = (email or "").strip().lower()
    if not email:
        return
    now = timezone.now()
    subscribers = Subscriber.objects.filter(email=email)
    if event_type == "bounced":
        subscribers.exclude(state=State.COMPLAINED).update(state=State.BOUNCED, bounced_at=now)
    elif event_type == "complained":
        subscribers.update(state=State.COMPLAINED, unsubscribed_at=now)
    elif event_type == "unsubscribed":
        subscribers.filter(state=State.SUBSCRIBED).update(
            state=State.UNSUBSCRIBED, unsubscribed_at=now
        )


# --- Editions ----------------------------------------------------------------------------


def _freeze_audience(edition: Edition) -> int:
    """One Delivery per subscriber in the audience, inserted by the database in one
    statement; the unique (edition, subscriber) constraint makes repeating it harmless."""
    audience = (
        selectors.edition_audience(edition)
        .values(audience_id=F("pk"), audience_email=F("email"))
        .order_by()
    )
    select_sql, select_params = audience.query.sql_with_params()
    table = Delivery._meta.db_table
    sql = (
        f"INSERT INTO {table} (edition_id, subscriber_id, email, state, attempts, claim, "
        f"message_id, error) SELECT %s, audience.audience_id, audience.audience_email, %s, 0, "
        f"'', '', '' "
        f"FROM ({select_sql}) AS audience WHERE true "
        f"ON CONFLICT (edition_id, subscriber_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [edition.pk, Delivery.State.PENDING, *select_params])
        return cursor.rowcount


def _refuse_unless_sendable(edition: Edition) -> None:
    if edition.status in (Edition.Status.SENDING, Edition.Status.PAUSED):
        raise ValidationError("This edition is already being sent.")
    if edition.status == Edition.Status.SENT:
        raise ValidationError("This edition has already been sent; it cannot be sent twice.")
    if edition.status == Edition.Status.CANCELLED:
        raise ValidationError("This edition was cancelled; copy it to send it again.")
    if selectors.edition_audience_count(edition) == 0:
        raise ValidationError(
            "No one would receive this edition: nobody subscribed to the newsletter matches "
            "its audience. Change the audience or wait for subscribers."
        )


def _nudge(edition_id: int, times: int) -> None:
    from newsletter.tasks import edition_send_chunk

    for _ in range(times):
        edition_send_chunk.delay_on_commit(edition_id)


def edition_send(*, edition: Edition) -> int:
    """Start sending now: render once, freeze the audience, hand the chunks to Celery.
    Returns the number of recipients. Refused if already sent or nobody would get it."""
    with transaction.atomic(durable=True):
        edition = (
            Edition.objects.select_for_update().select_related("newsletter").get(pk=edition.pk)
        )
        _refuse_unless_sendable(edition)
        edition.rendered_html, edition.rendered_text = edition_render(edition)
        edition.status = Edition.Status.SENDING
        edition.started_at = timezone.now()
        edition.pause_reason = ""
        edition.save(
            update_fields=["rendered_html", "rendered_text", "status", "started_at", "pause_reason"]
        )
        recipients = _freeze_audience(edition)
        chunks = -(-recipients // settings.NEWSLETTER_CHUNK_SIZE)
        _nudge(edition.pk, min(settings.NEWSLETTER_PARALLEL_CHUNKS, max(chunks, 1)))
    logger.info("edition %s sending to %s recipients", edition.pk, recipients)
    return recipients


def edition_schedule(*, edition: Edition, when: datetime) -> Edition:
    with transaction.atomic(durable=True):
        edition = (
            Edition.objects.select_for_update().select_related("newsletter").get(pk=edition.pk)
        )
        _refuse_unless_sendable(edition)
        if when <= timezone.now():
            raise ValidationError("Choose a time in the future, or send it now.")
        edition.status = Edition.Status.SCHEDULED
        edition.scheduled_at = when
        edition.save(update_fields=["status", "scheduled_at"])
    return edition


def edition_unschedule(*, edition: Edition) -> None:
    Edition.objects.filter(pk=edition.pk, status=Edition.Status.SCHEDULED).update(
        status=Edition.Status.DRAFT
    )


def editions_send_due(*, now: datetime | None = None) -> list[int]:
    """Start every scheduled edition whose time has come (run by beat every minute)."""
    now = now or timezone.now()
    started = []
    due = Edition.objects.filter(status=Edition.Status.SCHEDULED, scheduled_at__lte=now)
    for edition in due:
        try:
            edition_send(edition=edition)
            started.append(edition.pk)
        except ValidationError as error:
            reason = " ".join(error.messages)[:300]
            Edition.objects.filter(pk=edition.pk, status=Edition.Status.SCHEDULED).update(
                status=Edition.Status.DRAFT, pause_reason=f"Not sent at its time: {reason}"
            )
            logger.error("scheduled edition %s not sent: %s", edition.pk, reason)
    return started


def edition_pause(*, edition: Edition, reason: str = "Paused by an editor.") -> bool:
    return bool(
        Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING).update(
            status=Edition.Status.PAUSED, pause_reason=reason[:300]
        )
    )


def edition_resume(*, edition: Edition) -> bool:
    with transaction.atomic(durable=True):
        resumed = Edition.objects.filter(pk=edition.pk, status=Edition.Status.PAUSED).update(
            status=Edition.Status.SENDING, pause_reason=""
        )
        if resumed:
            _nudge(edition.pk, settings.NEWSLETTER_PARALLEL_CHUNKS)
    return bool(resumed)


def edition_cancel(*, edition: Edition) -> int:
    """Stop for good: what has not gone out is cancelled. Returns how many were cancelled."""
    with transaction.atomic(durable=True):
        stopped = Edition.objects.filter(
            pk=edition.pk,
            status__in=[Edition.Status.SENDING, Edition.Status.PAUSED, Edition.Status.SCHEDULED],
        ).update(status=Edition.Status.CANCELLED, finished_at=timezone.now())
        if not stopped:
            return 0
        return Delivery.objects.filter(edition=edition, state=Delivery.State.PENDING).update(
            state=Delivery.State.CANCELLED
        )


def edition_retry_failed(*, edition: Edition) -> int:
    """Send the failed deliveries again (only those), for subscribers still subscribed."""
    with transaction.atomic(durable=True):
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        if edition.status not in (Edition.Status.SENT, Edition.Status.SENDING):
            raise ValidationError("Only an edition that is sending or sent can retry failures.")
        retried = Delivery.objects.filter(edition=edition, state=Delivery.State.FAILED).update(
            state=Delivery.State.PENDING, attempts=0, not_before=None, error=""
        )
        if retried:
            edition.status = Edition.Status.SENDING
            edition.finished_at = None
            edition.save(update_fields=["status", "finished_at"])
            _nudge(edition.pk, settings.NEWSLETTER_PARALLEL_CHUNKS)
    return retried


def edition_send_test(*, edition: Edition, to_user) -> None:
    """Send the edition, exactly as subscribers will get it, to the editor alone."""
    html, text = edition_render(edition)
    subscriber = Subscriber.objects.filter(email=to_user.email.lower()).first()
    edition.subject = f"[Test] {edition.subject}"  # this copy only; never saved
    message = MessageTemplate(edition=edition, html=html, text=text).copy(
        to=to_user.email,
        personal=personal_for(subscriber),
        message_id=new_message_id(edition.pk, 0),
    )
    message.send()


def subscriber_already_subscribed_email(subscriber: Subscriber):
    token = tokens.subscriber_token(subscriber, purpose=tokens.PREFERENCES)
    return build_email(
        template="newsletter/emails/already",
        context={"preferences_url": site_url(reverse("newsletter:preferences", args=[token]))},
        subject=f"Your subscription to {settings.SITE_NAME}",
        to=[subscriber.email],
    )


def subscriber_daily_digest_on(*, user, form: str) -> Subscriber | None:
    """A signed-in member chose a daily email elsewhere on the site (the forum's daily
    summary of followed threads, which the daily digest carries): turn the daily digest
    on for them, keeping their other choices. An address that bounced or complained
    stays suppressed until it confirms again."""
    with transaction.atomic():
        subscriber = subscriber_for_user(user)
        if subscriber is None:
            subscriber = Subscriber(
                email=user.email.lower(),
                name=user.name,
                state=State.SUBSCRIBED,
                confirmed_at=timezone.now(),
            )
        elif subscriber.state in (State.BOUNCED, State.COMPLAINED):
            return None
        if subscriber.daily_digest and subscriber.state == State.SUBSCRIBED:
            return subscriber
        subscriber.user = user
        subscriber.daily_digest = True
        if subscriber.state != State.SUBSCRIBED:
            subscriber.state = State.SUBSCRIBED
            subscriber.unsubscribed_at = None
            subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        subscriber.save()
        _consent_record(
            subscriber,
            action=Consent.Action.ACCOUNT,
            form=form,
            text="A daily email with the forum threads I follow, in the daily digest.",
        )
    return subscriber
