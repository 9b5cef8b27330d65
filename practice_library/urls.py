from django.urls import path

from practice_library import feeds, views

app_name = "practice_library"

urlpatterns = [
    path("", views.index, name="index"),
    path("my/", views.my_library, name="my_library"),
    path("feed/", feeds.LatestResourcesFeed(), name="feed"),
    path("topics/<slug:slug>/feed/", feeds.TopicResourcesFeed(), name="topic_feed"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/files/<int:attachment_id>/", views.download, name="download"),
    path("<slug:slug>/bookmark/", views.bookmark_add, name="bookmark_add"),
    path("<slug:slug>/bookmark/remove/", views.bookmark_remove, name="bookmark_remove"),
]
