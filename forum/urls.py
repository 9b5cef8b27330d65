from django.urls import include, path

from forum import member_views, post_action_views, posting_views, views

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search_view, name="search"),
    path("notifications/", member_views.notifications_list, name="notifications"),
    path("notifications/read/", member_views.notifications_mark_read, name="notifications_read"),
    path("notifications/<int:pk>/", member_views.notification_open, name="notification_open"),
    path("bookmarks/", member_views.bookmarks, name="bookmarks"),
    path("settings/", member_views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", member_views.unsubscribe, name="unsubscribe"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("c/<slug:slug>/new/", posting_views.thread_create, name="thread_create"),
    path("c/<slug:slug>/mark-read/", views.category_mark_read, name="category_mark_read"),
    path("c/<slug:slug>/follow/", views.category_follow, name="category_follow"),
    path("t/<int:pk>/", views.thread_short, name="thread_short"),
    path("t/<int:pk>/reply/", posting_views.reply, name="reply"),
    path("t/<int:pk>/unread/", views.first_unread, name="first_unread"),
    path("t/<int:pk>/follow/", views.thread_follow, name="thread_follow"),
    path("t/<int:thread_pk>/p/<int:post_number>/", views.post_link, name="post"),
    path("t/<int:pk>/<slug:slug>/", views.thread, name="thread"),
    path("post/<int:pk>/edit/", posting_views.post_edit, name="post_edit"),
    path("post/<int:pk>/delete/", posting_views.post_delete, name="post_delete"),
    path("post/<int:pk>/helpful/", post_action_views.post_helpful, name="post_helpful"),
    path("post/<int:pk>/bookmark/", post_action_views.post_bookmark, name="post_bookmark"),
    path("post/<int:pk>/report/", post_action_views.post_report, name="post_report"),
    path("attachment/<int:pk>/", views.attachment, name="attachment"),
    path("moderation/", include("forum.moderation.urls")),
]
