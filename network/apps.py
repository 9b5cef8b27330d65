from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Site"

    def ready(self) -> None:
        from network import home_cache

        home_cache.connect_signals()
