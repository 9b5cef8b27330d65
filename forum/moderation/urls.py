"""The moderators' pages, mounted under /forum/moderation/ by forum/urls.py (names in
the "forum" namespace, prefixed "moderation_")."""

from django.urls import path

from forum.moderation import post_views, thread_views, views

urlpatterns = [
    path("", views.queue, name="moderation_queue"),
    path("item/<int:pk>/", views.item_detail, name="moderation_item"),
    path("item/<int:pk>/resolve/", views.item_resolve, name="moderation_item_resolve"),
    path("item/<int:pk>/note/", views.item_note, name="moderation_item_note"),
    path("post/<int:pk>/", post_views.post_detail, name="moderation_post"),
    path("post/<int:pk>/hide/", post_views.post_hide, name="moderation_post_hide"),
    path("post/<int:pk>/restore/", post_views.post_restore, name="moderation_post_restore"),
    path("post/<int:pk>/approve/", post_views.post_approve, name="moderation_post_approve"),
    path("post/<int:pk>/reject/", post_views.post_reject, name="moderation_post_reject"),
    path("post/<int:pk>/edit/", post_views.post_edit, name="moderation_post_edit"),
    path("post/<int:pk>/redact/", post_views.post_redact, name="moderation_post_redact"),
    path("image/<int:pk>/", post_views.image, name="moderation_image"),
    path("image/<int:pk>/approve/", post_views.image_approve, name="moderation_image_approve"),
    path("image/<int:pk>/reject/", post_views.image_reject, name="moderation_image_reject"),
    path(
        "attachment/<int:pk>/remove/",
        post_views.attachment_remove,
        name="moderation_attachment_remove",
    ),
    path("thread/<int:pk>/", thread_views.thread_detail, name="moderation_thread"),
    path("thread/<int:pk>/lock/", thread_views.thread_lock, name="moderation_thread_lock"),
    path("thread/<int:pk>/unlock/", thread_views.thread_unlock, name="moderation_thread_unlock"),
    path("thread/<int:pk>/pin/", thread_views.thread_pin, name="moderation_thread_pin"),
    path("thread/<int:pk>/unpin/", thread_views.thread_unpin, name="moderation_thread_unpin"),
    path("thread/<int:pk>/hide/", thread_views.thread_hide, name="moderation_thread_hide"),
    path("thread/<int:pk>/restore/", thread_views.thread_restore, name="moderation_thread_restore"),
    path("thread/<int:pk>/move/", thread_views.thread_move, name="moderation_thread_move"),
    path("thread/<int:pk>/merge/", thread_views.thread_merge, name="moderation_thread_merge"),
    path("member/<int:pk>/suspend/", thread_views.member_suspend, name="moderation_suspend"),
    path(
        "suspension/<int:pk>/lift/", thread_views.suspension_lift, name="moderation_suspension_lift"
    ),
    path("suspensions/", thread_views.suspensions, name="moderation_suspensions"),
]
