from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter and digests"

    def ready(self) -> None:
        from newsletter import signals  # noqa: F401 - connects the anymail receiver
        from newsletter.digests.sections import sections_discover

        sections_discover()

        from members.person_pages import person_admin_list_register

        person_admin_list_register(
            "Newsletter subscription",
            "admin:newsletter_subscriber_changelist",
            user__id__exact="pk",
        )
