"""An organisation's engagement, for its admins (linked from the organisation page)."""

from django.urls import path

from insight import views

app_name = "insight"

urlpatterns = [
    path("organisations/<slug:slug>/", views.organisation_page, name="organisation"),
    path(
        "organisations/<slug:slug>/<slug:table>.csv",
        views.organisation_csv,
        name="organisation_csv",
    ),
]
