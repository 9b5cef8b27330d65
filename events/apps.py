from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events and webinars"

    def ready(self) -> None:
        from members.person_pages import person_admin_list_register

        person_admin_list_register(
            "Event places", "admin:events_registration_changelist", user__id__exact="pk"
        )
