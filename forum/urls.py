from django.urls import include, path

from forum import views

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search_view, name="search"),
    path("notifications/", views.notifications_list, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("settings/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("c/<slug:slug>/new/", views.thread_create, name="thread_create"),
    path("c/<slug:slug>/mark-read/", views.category_mark_read, name="category_mark_read"),
    path("c/<slug:slug>/follow/", views.category_follow, name="category_follow"),
    path("t/<int:pk>/", views.thread_short, name="thread_short"),
    path("t/<int:pk>/reply/", views.reply, name="reply"),
    path("t/<int:pk>/unread/", views.first_unread, name="first_unread"),
    path("t/<int:pk>/follow/", views.thread_follow, name="thread_follow"),
    path("t/<int:thread_pk>/p/<int:post_number>/", views.post_link, name="post"),
    path("t/<int:pk>/<slug:slug>/", views.thread, name="thread"),
    path("post/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("post/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("post/<int:pk>/helpful/", views.post_helpful, name="post_helpful"),
    path("post/<int:pk>/bookmark/", views.post_bookmark, name="post_bookmark"),
    path("post/<int:pk>/report/", views.post_report, name="post_report"),
    path("attachment/<int:pk>/", views.attachment, name="attachment"),
    path("moderation/", include("forum.moderation_urls")),
]
