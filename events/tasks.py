"""Celery tasks of events: thin wrappers that load ids and call one service each."""

from celery import shared_task

from events import notices, services
from events.reminders import reminders_queue


@shared_task
def notice_send(notice_id: int) -> bool:
    return notices.notice_send(notice_id=notice_id)


@shared_task
def notices_send(notice_ids: list[int]) -> int:
    return sum(notices.notice_send(notice_id=notice_id) for notice_id in notice_ids)


@shared_task
def events_tick() -> dict:
    """Beat, every five minutes: finish ended events, pass expired offers on, queue the
    reminders that are due, and send what a dead worker left."""
    finished = services.events_finish()
    expired = services.offers_expire()
    reminders = reminders_queue()
    retried = notices.notices_retry()
    for notice_id in retried:
        notices.notice_send(notice_id=notice_id)
    return {
        "finished": finished,
        "expired": expired,
        "reminders": reminders,
        "retried": len(retried),
    }
