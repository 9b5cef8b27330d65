from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Site"

    def ready(self) -> None:
        from network import checks, home_cache  # noqa: F401 (checks registers itself)

        home_cache.connect_signals()
