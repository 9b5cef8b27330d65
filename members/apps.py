from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members and memberships"

    def ready(self) -> None:
        # Celery's autodiscovery finds members.tasks; the organisation tasks live beside it.
        from members import organisation_tasks  # noqa: F401
