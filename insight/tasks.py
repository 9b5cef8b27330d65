from celery import shared_task

from insight import services


@shared_task
def activity_flush() -> int:
    return services.activity_flush()


@shared_task
def activity_rollup_recent() -> None:
    services.activity_rollup_recent()
