import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings

from network import tasks as network_tasks
from network.celery import EMAIL_RETRY, app
from newsletter import tasks as newsletter_tasks

ran: list[str] = []


@app.task(name="tests.record_run")
def record_run(label: str) -> str:
    ran.append(label)
    return label


def _deliver(task, task_id: str, *args):
    """Run the task as a worker would for one delivery of the message `task_id`."""
    task.push_request(id=task_id, is_eager=False)
    try:
        return task(*args)
    finally:
        task.pop_request()


@pytest.fixture
def max_deliveries(settings):
    settings.CELERY_MAX_DELIVERIES = 3
    ran.clear()
    return 3


def test_a_task_redelivered_too_often_is_given_up(max_deliveries):
    results = [_deliver(record_run, "same-message", "x") for _ in range(max_deliveries + 2)]

    assert results == ["x"] * max_deliveries + [None, None]
    assert ran == ["x"] * max_deliveries


def test_deliveries_are_counted_per_message(max_deliveries):
    for n in range(max_deliveries + 1):
        _deliver(record_run, f"message-{n}", "y")

    assert ran == ["y"] * (max_deliveries + 1)


@app.task(name="tests.record_or_fail")
def record_or_fail(label: str) -> str:
    if label == "fail":
        raise ValueError("the task itself failed")
    ran.append(label)
    return label


@pytest.mark.django_db(transaction=True)
def test_work_enqueued_on_commit_runs_only_after_the_transaction_commits():
    from django.db import transaction

    ran.clear()
    with transaction.atomic():
        record_or_fail.delay_on_commit("after-commit")
        assert ran == []

    assert ran == ["after-commit"]


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_after_commit_is_logged_not_raised(monkeypatch, caplog):
    from django.db import transaction
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(record_or_fail, "apply_async", broker_down)
    with transaction.atomic():
        record_or_fail.delay_on_commit("lost")

    assert "task not enqueued name=tests.record_or_fail" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_run_in_process_still_raises_after_commit():
    from django.db import transaction

    with pytest.raises(ValueError), transaction.atomic():
        record_or_fail.delay_on_commit("fail")


@app.task(name="tests.record_warm")
def record_warm() -> None:
    ran.append("warm")


@pytest.mark.django_db
def test_work_asked_once_per_transaction_is_enqueued_once_however_often_asked(
    django_capture_on_commit_callbacks,
):
    ran.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            record_warm.delay_once_on_commit()
        record_or_fail.delay_on_commit("every time")
        record_or_fail.delay_on_commit("every time")

    assert ran == ["warm", "every time", "every time"]


@pytest.mark.django_db
def test_an_ask_in_a_savepoint_rolled_back_does_not_stop_a_later_one(
    django_capture_on_commit_callbacks,
):
    from django.db import transaction

    ran.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            record_warm.delay_once_on_commit()
            transaction.set_rollback(True)
        record_warm.delay_once_on_commit()

    assert ran == ["warm"]


def test_celery_is_configured_not_to_lose_work():
    conf = app.conf

    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert visibility > conf.task_time_limit
    assert conf.result_backend_transport_options["visibility_timeout"] == visibility


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_static_files_are_stored_compressed_with_hashed_names_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DEBUG="false",
        SECRET_KEY="test-only-" + "s" * 60,
        ALLOWED_HOSTS="network.example.org",
        STATIC_ROOT=str(tmp_path),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )

    css = [p.name for p in (tmp_path / "css").iterdir() if p.name.startswith("site.")]
    assert any(name.endswith(".css.gz") and len(name.split(".")) == 4 for name in css), css
    assert (tmp_path / "staticfiles.json").exists()


# --- Eager mode (the embedded default) never touches the broker -----------------------


@pytest.fixture
def fresh_broker_pools():
    """Forget the producer and connection pools, so that a task that would acquire a
    producer now opens (and logs) a new broker connection rather than reuse one that an
    earlier test opened."""
    from kombu import pools

    def forget() -> None:
        pools.reset()
        app.amqp._producer_pool = None
        app._pool = None

    forget()
    yield
    forget()


def broker_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("kombu")]


@pytest.mark.django_db
def test_sending_mail_through_a_task_in_eager_mode_never_touches_the_broker(
    caplog, fresh_broker_pools, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    from kombu import Connection

    from network.services import contact_message_submit

    opened = []
    monkeypatch.setattr(Connection, "_info", lambda self, *a, **k: opened.append(self) or ())
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        contact_message_submit(
            name="Amira Shah",
            email="amira@example.org",
            subject="Invoices for our council",
            message="Can we pay by invoice against a PO number?",
        )

    assert len(mailoutbox) == 1
    assert opened == []
    assert broker_warnings(caplog) == []


@pytest.mark.django_db
def test_loading_the_demo_in_eager_mode_logs_no_broker_warning(
    caplog, fresh_broker_pools, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    # The demo's tasks are enqueued on commit, as on `make run`.
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)

    assert broker_warnings(caplog) == []


@pytest.mark.parametrize(
    "task",
    [
        network_tasks.contact_message_notify_staff,
        newsletter_tasks.subscriber_confirmation_send,
        newsletter_tasks.subscriber_already_subscribed_send,
    ],
)
def test_every_task_that_sends_one_email_retries_with_the_one_email_policy(task):
    assert task.autoretry_for == EMAIL_RETRY["autoretry_for"]
    assert task.retry_backoff == EMAIL_RETRY["retry_backoff"]
    assert task.retry_backoff_max == EMAIL_RETRY["retry_backoff_max"]
    assert task.retry_jitter == EMAIL_RETRY["retry_jitter"]
    assert task.max_retries == EMAIL_RETRY["max_retries"]
