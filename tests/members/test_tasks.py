"""The members app's Celery tasks: their names and the retry policy of those that email."""

import pytest

from members import tasks as account_tasks
from members.billing import tasks as billing_tasks
from members.organisations import tasks as organisation_tasks
from network.celery import EMAIL_RETRY, app

EMAIL_TASKS = [
    billing_tasks.payment_failed_notice_send,
    billing_tasks.ending_soon_notice_send,
    billing_tasks.membership_ended_notice_send,
    organisation_tasks.invitation_send,
    account_tasks.type_change_request_notify_staff,
]


@pytest.mark.parametrize("task", EMAIL_TASKS, ids=lambda task: task.name)
def test_every_task_that_sends_email_retries_with_the_one_email_policy(task):
    assert task.autoretry_for == EMAIL_RETRY["autoretry_for"]
    assert task.max_retries == EMAIL_RETRY["max_retries"]
    assert task.retry_backoff == EMAIL_RETRY["retry_backoff"]
    assert task.retry_backoff_max == EMAIL_RETRY["retry_backoff_max"]


@pytest.mark.parametrize(
    "name",
    [
        # Named in beat's schedule or in messages already queued before the tasks moved
        # into members/billing/ and members/organisations/.
        "members.tasks.stripe_event_apply",
        "members.tasks.stripe_events_retry",
        "members.tasks.subscriptions_reconcile",
        "members.tasks.payment_failed_notice_send",
        "members.tasks.ending_soon_notice_send",
        "members.tasks.membership_ended_notice_send",
        "members.tasks.membership_reminders_send",
        "members.tasks.type_change_request_notify_staff",
        "members.organisation_tasks.invitation_send",
    ],
)
def test_moved_tasks_keep_the_names_workers_know_them_by(name):
    assert name in app.tasks
