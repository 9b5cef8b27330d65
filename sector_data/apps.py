from django.apps import AppConfig


class SectorDataConfig(AppConfig):
    name = "sector_data"
    verbose_name = "Sector data"

    def ready(self) -> None:
        from sector_data import caching

        caching.connect()
