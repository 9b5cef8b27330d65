from django.urls import path

from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.index, name="index"),
    path("check-your-email/", views.check_email, name="check_email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:pk>/", views.edition, name="edition"),
    path("r/<int:edition>/<str:token>/", views.link, name="link"),
]
