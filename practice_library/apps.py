from django.apps import AppConfig


class PracticeLibraryConfig(AppConfig):
    name = "practice_library"
    verbose_name = "Best-practice library"
