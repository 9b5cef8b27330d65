from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members and memberships"

    def ready(self) -> None:
        # Celery's autodiscovery finds members.tasks only; billing's and the organisations'
        # tasks live in their packages, so workers register them from here.
        from members.billing import tasks as billing_tasks  # noqa: F401
        from members.organisations import tasks as organisation_tasks  # noqa: F401
