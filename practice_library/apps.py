from django.apps import AppConfig


class PracticeLibraryConfig(AppConfig):
    name = "practice_library"
    verbose_name = "Best-practice library"

    def ready(self) -> None:
        from practice_library.search.cache import connect_signals

        connect_signals()
