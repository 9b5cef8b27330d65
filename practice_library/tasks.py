"""Celery tasks: thin wrappers that load by id and call one service."""

from celery import shared_task

from practice_library import search, services


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def attachment_extract_text_task(attachment_id: int) -> None:
    services.attachment_extract_text(attachment_id=attachment_id)


@shared_task
def resources_publish_scheduled() -> int:
    return services.resources_publish_scheduled()


@shared_task
def library_search_warm() -> None:
    search.library_warm()
