from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.http import condition

from events import feeds, views

app_name = "events"

urlpatterns = [
    path("", views.index, name="index"),
    # Feed readers ask again every hour or so: an unchanged feed answers 304, no body.
    path(
        "feed/",
        login_not_required(condition(etag_func=feeds.atom_feed_etag)(feeds.UpcomingEventsFeed())),
        name="feed",
    ),
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
