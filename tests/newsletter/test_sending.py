"""Sending an edition: the frozen audience, every copy once, what each message carries,
and what happens on bad addresses, server errors, pauses and cancellations."""

import itertools
import smtplib
import time
from datetime import timedelta

import pytest
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, TestCase
from django.utils import timezone

from members.access import AccessLevel
from members.models import MemberType, Subscription, SubscriptionStatus
from newsletter import services
from newsletter.messages import MessageTemplate, edition_message
from newsletter.models import Delivery, Edition, Subscriber
from newsletter.rendering import edition_render, personal_for
from newsletter.sending import chunks, claims, editions
from tests.forum.factories import CategoryFactory, member_of_type, thread_with_posts
from tests.newsletter.backends import ScriptedBackend, outbox_to, refused
from tests.newsletter.conftest import links, parse, parts
from tests.newsletter.factories import (
    EditionFactory,
    NewsletterFactory,
    SectionFactory,
    SubscriberFactory,
    subscribers,
)
from tests.practice_library.factories import ResourceFactory

pytestmark = pytest.mark.django_db

Status = Edition.Status
State = Delivery.State


@pytest.fixture
def scripted(settings):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.ScriptedBackend"
    ScriptedBackend.script = {}
    yield ScriptedBackend.script
    ScriptedBackend.script = {}


def send(edition: Edition) -> int:
    """Start sending; the chunk tasks queued on commit run (eagerly) as they would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return editions.edition_send(edition=edition)


def states(edition: Edition) -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in Delivery.objects.filter(edition=edition).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts


# --- The audience and sending once ----------------------------------------------------


def test_sending_delivers_one_copy_to_each_subscriber_and_finishes(newsletter, edition):
    people = subscribers(newsletter, 5)

    assert send(edition) == 5

    edition.refresh_from_db()
    assert edition.status == Status.SENT
    assert edition.finished_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert states(edition) == {State.SENT: 5}


def test_each_delivery_records_the_message_id_it_was_sent_with(newsletter, edition):
    subscribers(newsletter, 2)

    send(edition)

    sent_ids = {parse(m)["Message-ID"] for m in mail.outbox}
    assert set(Delivery.objects.values_list("message_id", flat=True)) == sent_ids


def test_freezing_the_audience_twice_neither_widens_nor_duplicates_it(newsletter, edition):
    subscribers(newsletter, 3)
    edition.status = Status.SENDING
    edition.save()

    first = editions._freeze_audience(edition)
    SubscriberFactory(newsletters=[newsletter])
    second = editions._freeze_audience(edition)

    assert first == 3
    assert second == 1  # only the newcomer; the three are not inserted again
    assert Delivery.objects.filter(edition=edition).count() == 4


def test_sending_an_edition_twice_is_refused(newsletter, edition):
    subscribers(newsletter, 2)
    send(edition)

    with pytest.raises(ValidationError, match="already been sent"):
        send(edition)

    assert len(mail.outbox) == 2


def test_an_edition_with_no_recipients_cannot_be_sent(edition):
    with pytest.raises(ValidationError, match="No one would receive this edition"):
        send(edition)

    edition.refresh_from_db()
    assert edition.status == Status.DRAFT
    assert not Delivery.objects.exists()


def test_people_not_subscribed_are_not_in_the_audience(newsletter, edition):
    subscribed = SubscriberFactory(newsletters=[newsletter])
    for state in [
        Subscriber.State.PENDING,
        Subscriber.State.UNSUBSCRIBED,
        Subscriber.State.BOUNCED,
        Subscriber.State.COMPLAINED,
    ]:
        SubscriberFactory(newsletters=[newsletter], state=state)
    SubscriberFactory()  # subscribed to nothing

    send(edition)

    assert [m.to for m in mail.outbox] == [[subscribed.email]]


def test_malformed_address_is_marked_failed_and_skipped(newsletter, edition):
    good = SubscriberFactory(newsletters=[newsletter])
    bad = SubscriberFactory(newsletters=[newsletter])
    Subscriber.objects.filter(pk=bad.pk).update(email="no-at-sign.example.org")

    send(edition)

    assert [m.to for m in mail.outbox] == [[good.email]]
    failed = Delivery.objects.get(subscriber=bad)
    assert failed.state == State.FAILED
    assert "Malformed" in failed.error
    edition.refresh_from_db()
    assert edition.status == Status.SENT


def test_subscriber_who_unsubscribed_after_the_audience_froze_gets_nothing(
    newsletter, edition, django_capture_on_commit_callbacks
):
    stays, leaves = subscribers(newsletter, 2)
    with django_capture_on_commit_callbacks(execute=False):  # frozen, chunks not yet run
        editions.edition_send(edition=edition)
    services.subscriber_unsubscribe(subscriber=leaves, form="test")

    chunks.edition_send_chunk(edition_id=edition.pk)

    assert [m.to for m in mail.outbox] == [[stays.email]]
    assert Delivery.objects.get(subscriber=leaves).state == State.SKIPPED


def test_a_members_newsletter_retried_after_the_membership_lapsed_is_not_sent(scripted):
    briefing = NewsletterFactory(name="Commissioners' briefing", restricted_to="commissioner")
    edition = EditionFactory(newsletter=briefing)
    commissioner = member_of_type(MemberType.COMMISSIONER)
    SubscriberFactory(user=commissioner, email=commissioner.email, newsletters=[briefing])
    scripted[commissioner.email] = smtplib.SMTPResponseException(451, b"try again later")
    send(edition)
    scripted.clear()

    Subscription.objects.filter(user=commissioner).update(
        status=SubscriptionStatus.CANCELED, ended_at=timezone.now()
    )
    Delivery.objects.update(not_before=timezone.now())
    chunks.edition_send_chunk(edition_id=edition.pk)

    assert mail.outbox == []
    assert Delivery.objects.get().state == State.SKIPPED


# --- The message, as a mail client sees it ---------------------------------------------


@pytest.fixture
def sent_message(newsletter, edition):
    members_only = ResourceFactory(
        title="Leading a home to outstanding", access_level=AccessLevel.MEMBERS
    )
    public = ResourceFactory(title="Staying Close: a practice guide")
    SectionFactory(edition=edition, title="From the library", kind="resources", body="")
    edition.sections.get(kind="resources").resources.set([members_only, public])
    SectionFactory(edition=edition, order=2)
    SubscriberFactory(email="sam@example.org", name="Sam Okafor", newsletters=[newsletter])
    send(edition)
    return parse(mail.outbox[0])


def test_only_members_only_resources_are_marked_members_only(edition):
    SectionFactory(edition=edition, title="From the library", kind="resources", body="")
    edition.sections.get().resources.set(
        [
            ResourceFactory(title="Guide for members", access_level=AccessLevel.MEMBERS),
            ResourceFactory(title="Guide for any account", access_level=AccessLevel.REGISTERED),
        ]
    )

    html, text = edition_render(edition)

    assert "* Guide for members (members only)" in text
    assert "* Guide for any account\n" in text
    assert html.count("(members only)") == 1


def test_a_section_with_nothing_left_to_show_prints_no_heading(edition):
    hidden = thread_with_posts(posts=1, title="A thread since hidden", state="hidden")
    SectionFactory(edition=edition, title="Forum highlights", kind="forum", body="")
    SectionFactory(edition=edition, title="From the forum", kind="forum", body="", order=3)
    edition.sections.get(title="From the forum").threads.set([hidden])

    html, text = edition_render(edition)

    assert "Forum highlights" not in text and "Forum highlights" not in html
    assert "From the forum" not in text


def test_message_has_list_headers_for_one_click_unsubscribe(sent_message, newsletter):
    unsubscribe = sent_message["List-Unsubscribe"]

    assert sent_message["List-Id"] == f"{newsletter.name} <{newsletter.slug}.network.example.org>"
    assert sent_message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = [part.strip(" \r\n\t<>") for part in unsubscribe.split(",")]
    assert https.startswith("http") and "/newsletter/unsubscribe/" in https
    assert mailto.startswith("mailto:unsubscribe@network.example.org?subject=unsubscribe%20")
    assert sent_message["To"] == "sam@example.org"
    assert sent_message["Subject"].startswith("Staying Close and workforce news")


def test_message_has_a_plain_text_and_an_html_part(sent_message):
    found = parts(sent_message)

    assert sent_message.get_content_type() == "multipart/alternative"
    assert set(found) == {"text/plain", "text/html"}
    assert "Hello Sam Okafor," in found["text/plain"]
    assert "Hello Sam Okafor," in found["text/html"]
    assert "Three things" in found["text/plain"]


def test_html_part_has_its_styles_inlined_and_no_tracking_pixel(sent_message):
    html = parts(sent_message)["text/html"]

    assert "<style" not in html
    assert 'style="' in html
    assert "<img" not in html


def test_message_has_visible_unsubscribe_and_preferences_links_in_both_parts(sent_message):
    for body in parts(sent_message).values():
        found = links(body)
        assert any("/newsletter/unsubscribe/" in link for link in found)
        assert any("/newsletter/preferences/" in link for link in found)


def test_featured_resources_show_summary_link_and_say_when_members_only(sent_message):
    text = parts(sent_message)["text/plain"]

    assert "Leading a home to outstanding (members only)" in text
    assert "Staying Close: a practice guide\n" in text
    assert "A short summary for the teaser." in text
    assert "/library/leading-a-home-to-outstanding/" in text


def test_forum_highlights_name_the_thread_and_room_but_never_the_posts_text(newsletter, edition):
    room = CategoryFactory(name="Workforce and training", slug="workforce-and-training")
    author = member_of_type()
    picked = thread_with_posts(category=room, author=author, posts=3, title="Rotas that keep staff")
    hidden = thread_with_posts(posts=1, category=room, author=author, title="A thread taken down")
    hidden.state = "hidden"
    hidden.save()
    section = SectionFactory(edition=edition, title="From the forum", kind="forum", body="")
    section.threads.set([picked, hidden])
    SubscriberFactory(email="sam@example.org", newsletters=[newsletter])

    send(edition)

    text = parts(parse(mail.outbox[0]))["text/plain"]
    assert "Rotas that keep staff (members only)" in text
    assert "In Workforce and training: 3 posts" in text
    assert f"/forum/t/{picked.pk}/" in text
    assert "supervision and rotas" not in text  # the posts' own words stay on the site
    assert "A thread taken down" not in text


def test_every_link_in_the_message_resolves(sent_message, client, settings):
    found = set()
    for body in parts(sent_message).values():
        found.update(link.rstrip(".,)") for link in links(body))

    for link in sorted(found):
        if not link.startswith(settings.SITE_URL):
            continue
        path = link[len(settings.SITE_URL) :]
        response = Client().get(path)
        if path.startswith("/newsletter/r/"):  # web links pass through the click counter
            assert response.status_code == 302, link
            target = response["Location"]
            if not target.startswith(settings.SITE_URL):
                continue
            response = Client().get(target[len(settings.SITE_URL) :])
        assert response.status_code == 200, link


def test_one_click_unsubscribe_header_works_with_a_bare_post(sent_message):
    https = sent_message["List-Unsubscribe"].split(",")[0].strip(" \r\n\t<>")
    path = https.split("8000", 1)[1]
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Subscriber.objects.get(email="sam@example.org").state == Subscriber.State.UNSUBSCRIBED


def test_prepared_copy_is_the_same_message_django_builds_in_full(newsletter, edition):
    subscriber = SubscriberFactory(name="Zoë O'Brien <b>", newsletters=[newsletter])
    html, text = edition_render(edition)
    personal = personal_for(subscriber)
    template = MessageTemplate(edition=edition, html=html, text=text)

    fast = parse(template.copy(to=subscriber.email, personal=personal, message_id="<1@x>"))
    full = parse(
        edition_message(
            edition=edition,
            html=html,
            text=text,
            to=subscriber.email,
            personal=personal,
            message_id="<1@x>",
        )
    )

    assert template.fast
    assert parts(fast) == parts(full)
    for header in ["Subject", "From", "To", "Message-ID", "List-Id", "List-Unsubscribe"]:
        assert fast[header] == full[header]
    assert "Zoë O&#x27;Brien &lt;b&gt;" in parts(fast)["text/html"]


def test_an_edition_with_very_long_lines_still_goes_out_whole(newsletter, edition):
    edition.introduction = "word " * 2000
    edition.save()
    SubscriberFactory(newsletters=[newsletter])

    send(edition)

    found = parts(parse(mail.outbox[0]))
    assert found["text/plain"].count("word") == 2000
    assert all(len(line) <= 998 for line in mail.outbox[0].message().as_bytes().splitlines())


# --- Server errors ---------------------------------------------------------------------


def test_permanent_refusal_fails_the_delivery_and_suppresses_the_address(
    newsletter, edition, scripted
):
    gone = SubscriberFactory(newsletters=[newsletter])
    fine = SubscriberFactory(newsletters=[newsletter])
    scripted[gone.email] = refused(gone.email, 550, "no such user")

    send(edition)

    delivery = Delivery.objects.get(subscriber=gone)
    assert delivery.state == State.FAILED
    assert "550" in delivery.error
    gone.refresh_from_db()
    assert gone.state == Subscriber.State.BOUNCED
    assert outbox_to(fine.email)


def test_an_address_the_email_service_refuses_fails_and_the_rest_still_go(
    newsletter, edition, scripted
):
    gone = SubscriberFactory(newsletters=[newsletter])
    fine = SubscriberFactory(newsletters=[newsletter])
    scripted[gone.email] = AnymailRecipientsRefused("inactive recipient")

    send(edition)

    assert [m.to for m in mail.outbox] == [[fine.email]]
    assert Delivery.objects.get(subscriber=gone).state == State.FAILED
    gone.refresh_from_db()
    assert gone.state == Subscriber.State.BOUNCED
    edition.refresh_from_db()
    assert edition.status == Status.SENT


def test_an_email_service_error_backs_off_and_is_retried_later(newsletter, edition, scripted):
    busy = SubscriberFactory(newsletters=[newsletter])
    scripted[busy.email] = AnymailAPIError("the service is unavailable")

    send(edition)

    delivery = Delivery.objects.get(subscriber=busy)
    assert delivery.state == State.PENDING
    assert delivery.not_before > timezone.now()
    assert "unavailable" in delivery.error


def test_an_unexpected_error_for_one_copy_is_retried_later_and_the_rest_still_go(
    newsletter, edition, scripted
):
    broken = SubscriberFactory(newsletters=[newsletter])
    fine = SubscriberFactory(newsletters=[newsletter])
    scripted[broken.email] = RuntimeError("the backend failed on this copy")

    send(edition)

    assert [m.to for m in mail.outbox] == [[fine.email]]
    delivery = Delivery.objects.get(subscriber=broken)
    assert delivery.state == State.PENDING
    assert delivery.attempts == 1
    assert "the backend failed" in delivery.error


def test_hard_bounced_address_is_not_mailed_again(newsletter, edition, scripted):
    gone = SubscriberFactory(newsletters=[newsletter])
    SubscriberFactory(newsletters=[newsletter])
    scripted[gone.email] = refused(gone.email, 550)
    send(edition)
    scripted.clear()

    later = EditionFactory(newsletter=newsletter)
    send(later)

    assert not Delivery.objects.filter(edition=later, subscriber=gone).exists()
    assert not outbox_to(gone.email)


def test_transient_error_backs_off_and_is_retried_later(newsletter, edition, scripted):
    busy = SubscriberFactory(newsletters=[newsletter])
    scripted[busy.email] = smtplib.SMTPResponseException(451, b"try again later")

    send(edition)

    delivery = Delivery.objects.get(subscriber=busy)
    assert delivery.state == State.PENDING
    assert delivery.not_before > timezone.now()
    edition.refresh_from_db()
    assert edition.status == Status.SENDING

    scripted.clear()
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now())
    chunks.edition_send_chunk(edition_id=edition.pk)

    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    assert delivery.attempts == 2
    edition.refresh_from_db()
    assert edition.status == Status.SENT


def test_transient_errors_give_up_after_the_attempts_cap(newsletter, edition, scripted, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    busy = SubscriberFactory(newsletters=[newsletter])
    scripted[busy.email] = smtplib.SMTPResponseException(421, b"busy")

    send(edition)
    Delivery.objects.update(not_before=None)
    chunks.edition_send_chunk(edition_id=edition.pk)

    delivery = Delivery.objects.get()
    assert delivery.state == State.FAILED
    assert "Gave up after 2 attempts" in delivery.error


def test_a_burst_of_errors_pauses_the_edition_and_tells_the_editors(
    newsletter, edition, scripted, settings, editor
):
    settings.NEWSLETTER_ERROR_BURST = 3
    people = subscribers(newsletter, 6)
    for person in people:
        scripted[person.email] = smtplib.SMTPServerDisconnected("connection lost")

    send(edition)

    edition.refresh_from_db()
    assert edition.status == Status.PAUSED
    assert "3 sending errors in a row" in edition.pause_reason
    alert = outbox_to(editor.email)
    assert alert and "paused" in alert[0].subject.lower()
    assert states(edition) == {State.PENDING: 6}


# --- Pause, resume, cancel, retry ------------------------------------------------------


def test_pause_stops_sending_and_resume_finishes_it(
    newsletter, edition, django_capture_on_commit_callbacks
):
    subscribers(newsletter, 3)
    with django_capture_on_commit_callbacks(execute=False):
        editions.edition_send(edition=edition)
    editions.edition_pause(edition=edition)

    chunks.edition_send_chunk(edition_id=edition.pk)
    assert mail.outbox == []

    editions.edition_resume(edition=edition)
    chunks.edition_send_chunk(edition_id=edition.pk)
    assert len(mail.outbox) == 3
    edition.refresh_from_db()
    assert edition.status == Status.SENT


def test_pause_takes_effect_within_a_chunk(newsletter, edition, monkeypatch, settings):
    subscribers(newsletter, 4)
    # Each look at the clock is 0.6 s later: the first message goes out, then a check is due.
    ticks = itertools.count(0, 0.6)
    monkeypatch.setattr(chunks.time, "monotonic", lambda: next(ticks))
    original = chunks._Chunk.renew

    def pause_then_renew(chunk, marks):
        editions.edition_pause(edition=chunk.edition)
        return original(chunk, marks)

    monkeypatch.setattr(chunks._Chunk, "renew", pause_then_renew)

    send(edition)

    assert len(mail.outbox) == 1
    assert states(edition) == {State.SENT: 1, State.PENDING: 3}
    assert Delivery.objects.filter(state=State.PENDING, attempts=0).count() == 3


def test_cancel_cancels_what_has_not_gone_out(
    newsletter, edition, django_capture_on_commit_callbacks
):
    subscribers(newsletter, 3)
    with django_capture_on_commit_callbacks(execute=False):
        editions.edition_send(edition=edition)

    cancelled = editions.edition_cancel(edition=edition)
    chunks.edition_send_chunk(edition_id=edition.pk)

    assert cancelled == 3
    assert mail.outbox == []
    edition.refresh_from_db()
    assert edition.status == Status.CANCELLED


def test_retry_sends_only_the_failed_deliveries_again(newsletter, edition, scripted):
    failing = SubscriberFactory(newsletters=[newsletter])
    fine = SubscriberFactory(newsletters=[newsletter])
    scripted[failing.email] = smtplib.SMTPResponseException(554, b"transaction failed")
    send(edition)
    scripted.clear()
    mail.outbox.clear()

    with TestCase.captureOnCommitCallbacks(execute=True):
        retried = editions.edition_retry_failed(edition=edition)

    assert retried == 1
    assert [m.to for m in mail.outbox] == [[failing.email]]
    assert not outbox_to(fine.email)
    assert states(edition) == {State.SENT: 2}


# --- Leases and the sweeper ------------------------------------------------------------


def test_sweeper_returns_expired_leases_and_the_rows_are_sent_once(newsletter, edition):
    subscribers(newsletter, 3)
    edition.status = Status.SENDING
    edition.save()
    editions._freeze_audience(edition)
    claims.deliveries_claim(edition_id=edition.pk, claim="dead-worker", limit=2)
    Delivery.objects.filter(claim="dead-worker").update(
        leased_until=timezone.now() - timedelta(seconds=1)
    )

    ready = claims.deliveries_sweep()
    chunks.edition_send_chunk(edition_id=edition.pk)

    assert ready == [edition.pk]
    assert len(mail.outbox) == 3
    assert states(edition) == {State.SENT: 3}


def test_the_sweeper_leaves_an_edition_a_live_chunk_is_sending_alone(newsletter, edition):
    subscribers(newsletter, 3)
    edition.status = Status.SENDING
    edition.save()
    editions._freeze_audience(edition)
    claims.deliveries_claim(edition_id=edition.pk, claim="live-worker", limit=1)

    assert claims.deliveries_sweep() == []


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="on SQLite no other worker can take the rows over"
)
@pytest.mark.django_db(transaction=True)
def test_a_chunk_keeps_its_lease_while_the_mail_server_makes_it_wait(settings):
    """The lease runs out after 3 s; the chunk is stuck for 4.5 s; it still holds its rows."""
    settings.NEWSLETTER_LEASE_SECONDS = 3
    edition = EditionFactory(status=Status.SENDING)
    SubscriberFactory(newsletters=[edition.newsletter])
    editions._freeze_audience(edition)
    claims.deliveries_claim(edition_id=edition.pk, claim="slow-server", limit=10)
    held = Delivery.objects.filter(claim="slow-server", state=State.SENDING)

    with claims.LeaseKeeper(held):
        time.sleep(4.5)
        returned = claims.deliveries_sweep()

    assert returned == []
    assert held.get().leased_until > timezone.now()


def test_sweeper_fails_a_delivery_out_of_attempts(newsletter, edition, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 1
    SubscriberFactory(newsletters=[newsletter])
    edition.status = Status.SENDING
    edition.save()
    editions._freeze_audience(edition)
    claims.deliveries_claim(edition_id=edition.pk, claim="poisoned", limit=10)
    Delivery.objects.update(leased_until=timezone.now() - timedelta(seconds=1))

    claims.deliveries_sweep()

    delivery = Delivery.objects.get()
    assert delivery.state == State.FAILED
    assert "Gave up" in delivery.error
    edition.refresh_from_db()
    assert edition.status == Status.SENT


def test_a_live_lease_is_not_claimed_twice(newsletter, edition):
    subscribers(newsletter, 2)
    edition.status = Status.SENDING
    edition.save()
    editions._freeze_audience(edition)

    first = claims.deliveries_claim(edition_id=edition.pk, claim="a", limit=10)
    second = claims.deliveries_claim(edition_id=edition.pk, claim="b", limit=10)

    assert len(first) == 2
    assert second == []


# --- Scheduling --------------------------------------------------------------------------


def test_scheduled_edition_is_started_by_the_polling_task_when_due(newsletter, edition):
    SubscriberFactory(newsletters=[newsletter])
    editions.edition_schedule(edition=edition, when=timezone.now() + timedelta(hours=1))

    assert editions.editions_send_due() == []
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = editions.editions_send_due(now=timezone.now() + timedelta(hours=2))

    assert started == [edition.pk]

    edition.refresh_from_db()
    assert edition.status == Status.SENT
    assert len(mail.outbox) == 1


def test_scheduling_in_the_past_is_refused(newsletter, edition):
    SubscriberFactory(newsletters=[newsletter])

    with pytest.raises(ValidationError, match="future"):
        editions.edition_schedule(edition=edition, when=timezone.now() - timedelta(minutes=1))


def test_the_pause_reason_editors_read_names_no_subscribers_address(
    newsletter, edition, scripted, settings, editor
):
    settings.NEWSLETTER_ERROR_BURST = 3
    people = subscribers(newsletter, 4)
    for person in people:
        scripted[person.email] = smtplib.SMTPRecipientsRefused(
            {person.email: (550, f"5.1.1 <{person.email}>: Recipient address rejected".encode())}
        )

    send(edition)

    edition.refresh_from_db()
    assert edition.status == Status.PAUSED
    assert "Recipient address rejected" in edition.pause_reason
    alert = outbox_to(editor.email)[0]
    for person in people:
        assert person.email not in edition.pause_reason
        assert person.email not in alert.body
