from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "insight"
    verbose_name = "Insight"

    def ready(self) -> None:
        from insight import receivers  # noqa: F401  (connects the activity receivers)
        from members.organisations.pages import organisation_link_register

        organisation_link_register(_engagement_link)


def _engagement_link(organisation, for_staff: bool):
    from django.urls import reverse

    if for_staff:
        url = reverse("insight_admin:organisation", args=[organisation.slug])
        return ("Engagement report (for renewals)", url)
    return (
        "How your people use the membership",
        reverse("insight:organisation", args=[organisation.slug]),
    )
