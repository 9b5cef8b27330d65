from celery import shared_task

from insight import figures, services


@shared_task
def activity_flush() -> int:
    return services.activity_flush()


@shared_task
def activity_rollup_recent() -> None:
    services.activity_rollup_recent()


@shared_task
def dashboard_warm() -> int:
    return figures.dashboard_warm()
