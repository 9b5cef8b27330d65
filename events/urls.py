from django.urls import path

from events import feeds, views

app_name = "events"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", feeds.UpcomingEventsFeed(), name="feed"),
    path("ics/", views.calendar_feed, name="calendar_feed"),
    path("r/<str:token>/cancel/", views.link_cancel, name="link_cancel"),
    path("r/<str:token>/confirm/", views.link_confirm, name="link_confirm"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/calendar.ics", views.calendar_file, name="calendar"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/needs/", views.needs, name="needs"),
    path("<slug:slug>/cancel/", views.cancel, name="cancel"),
    path("<slug:slug>/slides/", views.slides, name="slides"),
    path("<slug:slug>/certificate.pdf", views.certificate, name="certificate"),
]
