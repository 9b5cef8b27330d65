from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "insight"
    verbose_name = "Insight"

    def ready(self) -> None:
        from insight import receivers  # noqa: F401  (connects the activity receivers)
