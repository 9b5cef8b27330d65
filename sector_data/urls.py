from django.urls import path

from sector_data import views

app_name = "sector_data"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.page, name="page"),
    path("<slug:slug>/charts/<int:chart_id>.csv", views.chart_csv, name="chart_csv"),
]
