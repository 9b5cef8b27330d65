"""Business operations of the newsletter's subscribers: signing up, confirming, consent,
preferences and unsubscribing.

Each outermost operation runs in one durable transaction; emails and tasks go out after
the commit. Sending editions is in newsletter/sending/, digests in newsletter/digests/,
what the email service and readers report back (bounces, clicks) in newsletter/tracking.py,
how the subscription follows its account (address, name) in newsletter/account_follow.py.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from network.mail import build_email, site_url
from network.models import Topic
from newsletter import suppressions, tokens
from newsletter.models import Consent, Newsletter, Subscriber, Suppression

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


def _consent_record(
    subscriber: Subscriber, *, action: str, form: str, text: str, added_by=None
) -> Consent:
    return Consent.objects.create(
        subscriber=subscriber,
        action=action,
        form=form[:50],
        text=text,
        choices=_choices_snapshot(subscriber),
        added_by=added_by,
    )


def _set_choices(
    subscriber: Subscriber,
    *,
    newsletters: Iterable[Newsletter],
    weekly_digest: bool,
    daily_digest: bool,
    topics: Iterable[Topic],
) -> None:
    from newsletter.selectors import newsletters_open_to

    subscriber.weekly_digest = weekly_digest
    subscriber.daily_digest = daily_digest
    subscriber.save(update_fields=["weekly_digest", "daily_digest"])
    # A form offers only the newsletters open to the person now: a member-type newsletter
    # chosen while a member is not shown to them lapsed, and saving must not drop it.
    # It is not sent until they are that type of member again (selectors.edition_audience).
    offered = {newsletter.pk for newsletter in newsletters_open_to(subscriber.user)}
    kept = [n for n in subscriber.newsletters.all() if n.pk not in offered]
    subscriber.newsletters.set([*newsletters, *kept])
    subscriber.topics.set(list(topics))


def _send_confirmation(subscriber_id: int) -> None:
    from newsletter.tasks import subscriber_confirmation_send

    subscriber_confirmation_send.delay_on_commit(subscriber_id, timezone.now().isoformat())


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
) -> Subscriber | None:
    """A sign-up by email address: nothing is sent to the list until the person confirms
    from the link we email (double opt-in). The answer never reveals whether the address
    was known: an address already subscribed gets a link to its preferences instead, and
    one that reported our email as spam gets nothing and is left as it is (as a sign-up
    with an account leaves it). An address that unsubscribed gets a confirmation: signing
    up again is a fresh consent. So is one that bounced: confirming shows it works again.
    A complaint is remembered after its subscriber is deleted (newsletter/suppressions.py),
    as is a person's asking staff never to be emailed: nothing is recorded then either."""
    email = email.strip().lower()
    if suppressions.objection_for(email):
        return Subscriber.objects.filter(email=email).first()
    with transaction.atomic(durable=True):
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(email=email)
        if subscriber.state == State.COMPLAINED:
            # Anyone may type any address: writing again to someone who told their mail
            # provider our email is spam would harm them and the site's sending.
            return subscriber
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


# The box on the account sign-up form (members.forms.SignupDetailsForm).
ACCOUNT_SIGN_UP_FORM = "account sign-up"


def account_sign_up_consent_text() -> str:
    """The words of the sign-up form's box, as shown: what a consent from it records."""
    from members.forms import SignupDetailsForm

    box = SignupDetailsForm.base_fields["newsletter"]
    return f"{box.label}. {box.help_text}"


def subscriber_sign_up_with_account(*, user) -> Subscriber | None:
    """The person ticked the newsletter box when making their account: the newsletters
    open to everyone and the weekly digest, from when they confirm their address. The
    account's own confirmation email is the double opt-in (subscriber_confirm_account);
    no second one is sent. An address already subscribed, or that complained, is left
    as it is (also once deleted, or if the person asked staff never to be emailed:
    newsletter/suppressions.py)."""
    from newsletter.selectors import newsletters_open_to

    if suppressions.objection_for(user.email):
        return Subscriber.objects.filter(email=user.email.strip().lower()).first()
    with transaction.atomic(durable=True):
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
            email=user.email.strip().lower()
        )
        if subscriber.state in (State.SUBSCRIBED, State.COMPLAINED):
            return subscriber
        subscriber.user = user
        subscriber.name = subscriber.name or user.name
        subscriber.state = State.PENDING
        subscriber.save(update_fields=["user", "name", "state"])
        _set_choices(
            subscriber,
            newsletters=newsletters_open_to(None),
            weekly_digest=True,
            daily_digest=False,
            topics=user.topics.all(),
        )
        _consent_record(
            subscriber,
            action=Consent.Action.SIGNED_UP,
            form=ACCOUNT_SIGN_UP_FORM,
            text=account_sign_up_consent_text(),
        )
    return subscriber


def _awaiting_account_confirmation(*, user, email: str):
    return Subscriber.objects.filter(
        user=user,
        email=email.strip().lower(),
        state=State.PENDING,
        consents__action=Consent.Action.SIGNED_UP,
        consents__form=ACCOUNT_SIGN_UP_FORM,
    )


def account_confirmation_note(*, user, email: str) -> str:
    """What the account's confirmation email adds when confirming `email` also starts the
    newsletter asked for at sign-up: the click is the consent, so the email says to what
    (whoever typed the address may not own it)."""
    if user is None or not _awaiting_account_confirmation(user=user, email=email).exists():
        return ""
    return (
        "Confirming it also starts the network's newsletter and weekly digest, which were "
        "asked for with the account. Every one of those emails has a link to stop them."
    )


def subscriber_confirm_account(*, user, email: str) -> Subscriber | None:
    """The person confirmed their account's address: a subscription they asked for when
    signing up with it starts now, and one the address had before the account joins it
    (so members-only editions and digests know them)."""
    address = email.strip().lower()
    if address == user.email.lower() and not Subscriber.objects.filter(user=user).exists():
        # A sign-up never confirmed is left to expire as it would have.
        Subscriber.objects.filter(email=address, user__isnull=True).exclude(
            state=State.PENDING
        ).update(user=user)
    subscriber = _awaiting_account_confirmation(user=user, email=email).first()
    if subscriber is None:
        return None
    return subscriber_confirm(subscriber=subscriber, form="account address confirmed")


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


def subscriber_confirm(*, subscriber: Subscriber, form: str = "confirmation link") -> Subscriber:
    """The person opened the link from the confirmation email (also after a bounce): the
    owner of the mailbox asked, from a link only it received, so nothing suppresses the
    address any more."""
    with transaction.atomic(durable=True):
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.state == State.SUBSCRIBED:
            return subscriber
        signed_up = subscriber.consents.filter(action=Consent.Action.SIGNED_UP).first()
        subscriber.state = State.SUBSCRIBED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["state", "confirmed_at"])
        suppressions.suppression_lift(email=subscriber.email)
        _consent_record(
            subscriber,
            action=Consent.Action.CONFIRMED,
            form=form,
            text=signed_up.text if signed_up else CONSENT_TEXT,
        )
    return subscriber


def subscriber_for_user(user) -> Subscriber | None:
    return (
        Subscriber.objects.filter(user=user).first()
        or Subscriber.objects.filter(email=user.email.lower()).first()
    )


# What a signed-in person whose address objected to our email is told, by objection
# (newsletter/index.html says the same, with a link to the contact page).
OBJECTION_TEXT = {
    Suppression.Reason.COMPLAINED: "This address reported one of our emails as spam, so "
    "we will not email it. If that was a mistake, contact us and we will put it right.",
    Suppression.Reason.ASKED: "You asked us never to email this address, so we will not. "
    "If you change your mind, contact us and we will make it possible to choose emails "
    "again.",
}


def account_address_objection(*, user, subscriber: Subscriber | None) -> str | None:
    """Why the signed-in person's address is never emailed, if it objected to our email:
    it reported one as spam (now, or before its subscriber was deleted), or they asked
    staff never to be emailed (a reason in suppressions.OBJECTIONS). The newsletter page
    tells them so, rather than take choices nothing will ever carry out. Only staff,
    asked through the contact page, can lift it."""
    if subscriber is not None and subscriber.state == State.COMPLAINED:
        return Suppression.Reason.COMPLAINED
    return suppressions.objection_for(user.email)


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
    confirmation is needed, and a past bounce no longer counts. An address that reported
    our email as spam, or whose owner asked staff never to be emailed, is refused
    (ValidationError): see account_address_objection."""
    with transaction.atomic(durable=True):
        subscriber = subscriber_for_user(user)
        objection = account_address_objection(user=user, subscriber=subscriber)
        if objection:
            raise ValidationError(OBJECTION_TEXT[objection], code=objection)
        suppressions.suppression_lift(email=user.email)
        if subscriber is None:
            subscriber = Subscriber(email=user.email.lower())
        subscriber.user = user
        subscriber.email = user.email.lower()
        subscriber.name = subscriber.name or user.name
        if subscriber.state != State.SUBSCRIBED:
            # Subscribing again is a confirmation of its own: the dashboard counts from it.
            subscriber.confirmed_at = timezone.now()
        subscriber.state = State.SUBSCRIBED
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
    stays suppressed: only a fresh confirmation brings it back. So does one whose owner
    asked staff never to be emailed, though its subscriber is merely unsubscribed: only
    staff lift that."""
    with transaction.atomic(durable=True):
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        _set_choices(
            subscriber,
            newsletters=newsletters,
            weekly_digest=weekly_digest,
            daily_digest=daily_digest,
            topics=topics,
        )
        if subscriber.state == State.UNSUBSCRIBED and not suppressions.objection_for(
            subscriber.email
        ):
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
        suppressions.suppressions_keep(subscribers=stale)  # a bounce signed up again
        deleted, _ = stale.delete()
    return deleted


def subscriber_already_subscribed_email(subscriber: Subscriber):
    token = tokens.subscriber_token(subscriber, purpose=tokens.PREFERENCES)
    return build_email(
        template="newsletter/emails/already",
        context={"preferences_url": site_url(reverse("newsletter:preferences", args=[token]))},
        subject=f"Your subscription to {settings.SITE_NAME}",
        to=[subscriber.email],
    )
