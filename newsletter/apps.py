from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter and digests"

    def ready(self) -> None:
        from newsletter import signals  # noqa: F401 - connects the anymail receiver
        from newsletter.digests.sections import sections_discover

        sections_discover()
