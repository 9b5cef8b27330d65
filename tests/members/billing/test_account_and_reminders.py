"""The account page's membership panel, and the reminder emails (each sent once)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members import access
from members.billing import notices, tasks
from members.models import Invoice, SubscriptionStatus
from tests.members.factories import (
    OrganisationFactory,
    PlanFactory,
    SeatFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def account_text(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("members:account"))
    assert response.status_code == 200
    return response.content.decode()


def test_account_shows_plan_status_and_renewal_date(client, fake_stripe):
    renews = timezone.now() + timedelta(days=100)
    subscription = SubscriptionFactory(
        plan=PlanFactory(name="Provider: individual, annual"), current_period_end=renews
    )

    text = account_text(client, subscription.user)

    assert "Provider: individual, annual" in text
    assert "Renews on" in text and f"{renews:%-d %B %Y}" in text
    assert "Manage payment, invoices and plan" in text


def test_a_membership_in_its_free_trial_says_so_in_words(client, fake_stripe):
    ends = timezone.now() + timedelta(days=10)
    subscription = SubscriptionFactory(status=SubscriptionStatus.TRIALING, current_period_end=ends)

    text = account_text(client, subscription.user)

    assert "<dt>Status</dt><dd>Free trial" in text
    assert "Trial ends" in text and "Trialing" not in text


def test_an_ended_membership_offers_its_past_invoices_not_a_way_to_cancel(client, fake_stripe):
    ended = timezone.now() - timedelta(days=20)
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.CANCELED, current_period_end=ended, ended_at=ended
    )

    text = account_text(client, subscription.user)

    assert "See past invoices" in text
    assert "you keep access until the end of the period" not in text
    assert "Manage payment, invoices and plan" not in text


def test_account_shows_the_end_date_of_a_membership_that_will_not_renew(client, fake_stripe):
    ends = timezone.now() + timedelta(days=10)
    subscription = SubscriptionFactory(current_period_end=ends, cancel_at_period_end=True)

    text = account_text(client, subscription.user)

    assert "Ends on" in text and "(it will not renew)" in text


def test_account_tells_a_card_payer_what_to_do_when_a_payment_failed(client, fake_stripe):
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now() - timedelta(days=2)
    )
    grace_end = subscription.past_due_since + timedelta(days=14)

    text = account_text(client, subscription.user)

    assert "Your last payment did not go through" in text
    assert f"until {grace_end:%-d %B %Y}" in text
    assert "Update your card in the billing portal" in text


def test_account_of_a_past_due_membership_does_not_say_when_it_renews(client, fake_stripe):
    # Stripe moves the period on at renewal even when the payment for it fails.
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=timezone.now(),
        current_period_end=timezone.now() + timedelta(days=365),
    )

    text = account_text(client, subscription.user)

    assert "Renews on" not in text
    assert "Your membership stays open until" in text


def test_account_of_a_past_due_organisation_does_not_say_when_its_seats_renew(client, fake_stripe):
    organisation = OrganisationFactory()
    admin = SeatFactory(organisation=organisation, is_admin=True).user
    SubscriptionFactory(
        user=None,
        organisation=organisation,
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=timezone.now(),
        current_period_end=timezone.now() + timedelta(days=365),
    )

    text = account_text(client, admin)

    assert "Renews on" not in text


def test_account_gives_a_card_payer_a_next_step_when_cards_cannot_be_changed_on_the_site(
    client, no_stripe
):
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now() - timedelta(days=2)
    )

    text = account_text(client, subscription.user)

    assert "Your last payment did not go through" in text
    assert "contact us" in text and "we will help you pay" in text


def test_account_tells_an_invoice_payer_to_pay_the_open_invoice(client, fake_stripe):
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=timezone.now(),
        collection_method="send_invoice",
    )
    Invoice.objects.create(
        subscription=subscription,
        stripe_invoice_id="in_1Qopen",
        number="7FE1103-0001",
        status="open",
        amount_due_pence=180000,
        due_date=timezone.now() - timedelta(days=1),
        hosted_invoice_url="https://invoice.stripe.com/i/acct_1Qtest/test_in_1Qopen",
    )

    text = account_text(client, subscription.user)

    assert "pay the open invoice below by bank transfer" in text
    assert "Invoice 7FE1103-0001" in text and "£1,800 · Open" in text
    assert "https://invoice.stripe.com/i/acct_1Qtest/test_in_1Qopen" in text


def test_account_says_an_invoice_payers_invoice_is_overdue_not_that_a_payment_failed(
    client, fake_stripe
):
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=timezone.now(),
        collection_method="send_invoice",
    )

    text = account_text(client, subscription.user)

    assert "Your invoice is overdue." in text
    assert "did not go through" not in text


def test_account_of_a_card_payer_whose_grace_ran_out_says_it_is_closed_until_paid(
    client, fake_stripe
):
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now() - timedelta(days=20)
    )

    text = account_text(client, subscription.user)

    assert "stays open until" not in text
    assert "Members-only pages are closed until it is paid" in text
    assert "Your membership is closed until its payment is made" in text
    assert "Renew your membership" not in text


def test_account_of_an_unpaid_membership_asks_for_the_payment_not_a_renewal(client, fake_stripe):
    subscription = SubscriptionFactory(status=SubscriptionStatus.UNPAID)

    text = account_text(client, subscription.user)

    assert "Your membership is closed until its payment is made" in text
    assert "Update your card in the billing portal" in text
    assert "Renew your membership" not in text


def test_a_membership_closed_for_its_payment_is_sent_to_pay_it_from_other_pages(
    client, fake_stripe
):
    subscription = SubscriptionFactory(status=SubscriptionStatus.UNPAID)
    client.force_login(subscription.user)

    html = client.get("/").content.decode()

    assert "Pay for your membership" in html
    assert f'href="{reverse("members:account")}#membership-heading"' in html
    assert "Renew your membership" not in html
    assert "Your membership is closed until its payment is made. Pay it to read" in html
    assert "Renew it to" not in html


def test_the_plans_tell_a_membership_closed_for_its_payment_to_pay_it_first(client, fake_stripe):
    subscription = SubscriptionFactory(status=SubscriptionStatus.UNPAID)
    client.force_login(subscription.user)

    html = client.get(reverse("membership")).content.decode()

    assert "Your membership is closed until its payment is made" in html
    assert "a new membership would be charged as well as the old one" in html


def test_an_organisation_admin_whose_membership_owes_a_payment_is_sent_to_pay_it(fake_stripe):
    organisation = OrganisationFactory()
    SubscriptionFactory(user=None, organisation=organisation, status=SubscriptionStatus.UNPAID)
    admin = SeatFactory(organisation=organisation, is_admin=True).user

    assert access.lapsed_owing_payment(admin)


def test_a_cancelled_membership_is_not_taken_for_one_owing_a_payment(fake_stripe):
    subscription = SubscriptionFactory(status=SubscriptionStatus.CANCELED)

    assert not access.lapsed_owing_payment(subscription.user)


def test_account_of_an_invoice_payer_counts_the_grace_from_the_invoice_due_date(
    client, fake_stripe, settings
):
    settings.MEMBERSHIP_GRACE_DAYS = 14
    subscription = SubscriptionFactory(
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=timezone.now(),
        collection_method="send_invoice",
    )
    due = timezone.now() - timedelta(days=5)
    Invoice.objects.create(
        subscription=subscription,
        stripe_invoice_id="in_1Qlate",
        status="open",
        amount_due_pence=180000,
        due_date=due,
    )

    text = account_text(client, subscription.user)

    assert f"stays open until {due + timedelta(days=14):%-d %B %Y}" in text


def test_account_shows_an_organisation_admin_their_organisations_billing(client, fake_stripe):
    organisation = OrganisationFactory(name="Northmoor Council")
    SubscriptionFactory(user=None, organisation=organisation, quantity=20)
    admin = SeatFactory(organisation=organisation, is_admin=True).user

    text = account_text(client, admin)

    assert "20 seats for Northmoor Council" in text
    assert "Manage payment, invoices and plan" in text


def test_account_does_not_show_billing_to_a_colleague_in_a_seat(client, fake_stripe):
    organisation = OrganisationFactory(name="Northmoor Council")
    SubscriptionFactory(user=None, organisation=organisation, quantity=20)
    colleague = SeatFactory(organisation=organisation).user

    text = account_text(client, colleague)

    assert "through a seat at Northmoor Council" in text
    assert "Manage payment" not in text


def test_account_without_stripe_keys_offers_no_portal(client, no_stripe, provider_member):
    text = account_text(client, provider_member)

    assert "Manage payment" not in text


def test_account_says_an_invoice_paid_by_bank_transfer_was_paid_so_once(client, fake_stripe):
    subscription = SubscriptionFactory()
    Invoice.objects.create(
        subscription=subscription,
        stripe_invoice_id="in_1QtransferPaid",
        status="paid",
        paid_out_of_band=True,
        amount_due_pence=180000,
    )
    client.force_login(subscription.user)

    text = client.get(reverse("members:account")).content.decode()

    assert "£1,800 · Paid by bank transfer" in text


def test_account_page_runs_as_many_queries_with_many_invoices_as_with_one(client, fake_stripe):
    subscription = SubscriptionFactory()
    client.force_login(subscription.user)
    client.get(reverse("members:account"))  # the first visit records the signed-in device

    def queries_with(invoices: int) -> int:
        for n in range(Invoice.objects.count(), invoices):
            Invoice.objects.create(
                subscription=subscription, stripe_invoice_id=f"in_1Q{n}", status="paid"
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("members:account")).status_code == 200
        return len(queries)

    assert queries_with(1) == queries_with(8)


# --- Reminder emails ----------------------------------------------------------------------


def test_ending_soon_reminder_is_sent_once_for_a_non_renewing_membership(fake_stripe, mailoutbox):
    ending = SubscriptionFactory(
        cancel_at_period_end=True, current_period_end=timezone.now() + timedelta(days=13)
    )
    SubscriptionFactory(current_period_end=timezone.now() + timedelta(days=13))  # renews
    SubscriptionFactory(
        cancel_at_period_end=True, current_period_end=timezone.now() + timedelta(days=40)
    )  # not yet

    tasks.membership_reminders_send()
    tasks.membership_reminders_send()

    assert [m.to for m in mailoutbox] == [[ending.user.email]]
    message = mailoutbox[0]
    assert message.subject == "Your membership ends soon"
    assert "https://network.example.org/billing/portal/" in message.body
    assert message.alternatives  # plain text and HTML


def test_a_new_period_that_is_again_not_renewing_gets_a_new_reminder(fake_stripe, mailoutbox):
    subscription = SubscriptionFactory(
        cancel_at_period_end=True, current_period_end=timezone.now() + timedelta(days=5)
    )
    notices.ending_soon_notice_send(subscription_id=subscription.pk)
    subscription.current_period_end += timedelta(days=365)
    subscription.save(update_fields=["current_period_end"])

    assert notices.ending_soon_notice_send(subscription_id=subscription.pk) is True
    assert len(mailoutbox) == 2


def test_a_reminder_that_fails_to_send_is_not_marked_sent(fake_stripe, monkeypatch):
    subscription = SubscriptionFactory(
        cancel_at_period_end=True, current_period_end=timezone.now() + timedelta(days=5)
    )
    monkeypatch.setattr(
        "django.core.mail.EmailMultiAlternatives.send",
        lambda self: (_ for _ in ()).throw(OSError("mail server down")),
    )

    with pytest.raises(OSError):
        notices.ending_soon_notice_send(subscription_id=subscription.pk)

    subscription.refresh_from_db()
    assert subscription.ending_reminder_sent_for is None


def test_missed_ended_notice_is_sent_by_the_daily_task(fake_stripe, mailoutbox):
    SubscriptionFactory(status=SubscriptionStatus.CANCELED, ended_at=timezone.now())

    tasks.membership_reminders_send()
    tasks.membership_reminders_send()

    assert [m.subject for m in mailoutbox] == ["Your membership has ended"]


def test_ended_notice_is_not_sent_for_an_active_membership(fake_stripe, mailoutbox):
    subscription = SubscriptionFactory()

    assert notices.membership_ended_notice_send(subscription_id=subscription.pk) is False
    assert mailoutbox == []


def test_a_membership_closed_as_unpaid_is_told_to_pay_rather_than_join_again(
    fake_stripe, mailoutbox
):
    subscription = SubscriptionFactory(status=SubscriptionStatus.UNPAID)

    notices.membership_ended_notice_send(subscription_id=subscription.pk)

    [message] = mailoutbox
    assert message.subject == "Your membership is closed until it is paid"
    assert "https://network.example.org/billing/portal/" in message.body
    assert "Join again" not in message.body


def test_ended_notice_is_not_sent_to_someone_still_a_member_through_a_seat(fake_stripe, mailoutbox):
    ended = SubscriptionFactory(status=SubscriptionStatus.CANCELED, ended_at=timezone.now())
    council = OrganisationFactory()
    SubscriptionFactory(user=None, organisation=council)
    SeatFactory(organisation=council, user=ended.user)

    tasks.membership_reminders_send()

    assert mailoutbox == []


def test_an_organisations_ended_notice_names_the_organisation_to_its_admins(
    fake_stripe, mailoutbox
):
    council = OrganisationFactory(
        name="Northmoor Council", billing_email="ap@northmoor.example.org"
    )
    admin = UserFactory(email="ruth@northmoor.example.org")
    SeatFactory(organisation=council, user=admin, is_admin=True)
    subscription = SubscriptionFactory(
        user=None, organisation=council, status=SubscriptionStatus.CANCELED, ended_at=timezone.now()
    )

    notices.membership_ended_notice_send(subscription_id=subscription.pk)

    [message] = mailoutbox
    assert message.to == ["ruth@northmoor.example.org", "ap@northmoor.example.org"]
    assert "Northmoor Council's English Residential Network membership" in message.body


def test_an_admin_who_is_also_the_billing_contact_is_told_once(fake_stripe, mailoutbox):
    council = OrganisationFactory(billing_email="Ruth.Adeyemi@northmoor.example.org")
    admin = UserFactory(email="ruth.adeyemi@northmoor.example.org")
    SeatFactory(organisation=council, user=admin, is_admin=True)
    subscription = SubscriptionFactory(
        user=None, organisation=council, status=SubscriptionStatus.CANCELED, ended_at=timezone.now()
    )

    notices.membership_ended_notice_send(subscription_id=subscription.pk)

    [message] = mailoutbox
    assert message.to == ["ruth.adeyemi@northmoor.example.org"]
