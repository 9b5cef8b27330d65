"""Write static/sector_data/charts.css: the CSS pygal would inline in every chart."""

from django.core.management.base import BaseCommand

from sector_data.charts import STYLESHEET_PATH, chart_stylesheet


class Command(BaseCommand):
    help = "Regenerate static/sector_data/charts.css from the charts' pygal Style."

    def handle(self, *args, **options) -> None:
        STYLESHEET_PATH.write_text(chart_stylesheet(), encoding="utf-8")
        self.stdout.write(f"Wrote {STYLESHEET_PATH}")
