from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.http import condition

from practice_library import feeds, views

app_name = "practice_library"

urlpatterns = [
    path("", views.index, name="index"),
    path("my/", views.my_library, name="my_library"),
    # Public, as feed readers never sign in: the ETag's wrapper loses the feed's own
    # login_required = False.
    path(
        "feed/",
        login_not_required(condition(etag_func=feeds.feed_etag)(feeds.LatestResourcesFeed())),
        name="feed",
    ),
    path(
        "topics/<slug:slug>/feed/",
        login_not_required(condition(etag_func=feeds.feed_etag)(feeds.TopicResourcesFeed())),
        name="topic_feed",
    ),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/files/<int:attachment_id>/", views.download, name="download"),
    path("<slug:slug>/bookmark/", views.bookmark_add, name="bookmark_add"),
    path("<slug:slug>/bookmark/remove/", views.bookmark_remove, name="bookmark_remove"),
]
