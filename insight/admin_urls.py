"""The staff dashboard, mounted under /admin/insight/ (the admin's sign-in and
two-factor rules apply there)."""

from django.urls import path

from insight import views

app_name = "insight_admin"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("<slug:slug>.csv", views.dashboard_csv, name="dashboard_csv"),
    path(
        "organisations/<slug:slug>/",
        views.organisation_admin_page,
        name="organisation",
    ),
]
