from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events and webinars"

    def ready(self) -> None:
        from members.person_pages import person_admin_list_register
        from members.profiles import profile_changed

        profile_changed.connect(_profile_changed, dispatch_uid="events-profile-changed")

        person_admin_list_register(
            "Event places", "admin:events_registration_changelist", user__id__exact="pk"
        )


def _profile_changed(sender, user, changed, **kwargs) -> None:
    """Places at events to come carry the name and organisation from the profile."""
    from events.services import registrations_follow_profile

    if changed & {"name", "organisation_name"}:
        registrations_follow_profile(user=user)
