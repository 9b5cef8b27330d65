"""The moderators' pages, mounted under /forum/moderation/ by forum/urls.py (names in
the "forum" namespace, prefixed "moderation_")."""

from django.urls import path

from forum import moderation_views as views

urlpatterns = [
    path("", views.queue, name="moderation_queue"),
    path("item/<int:pk>/", views.item_detail, name="moderation_item"),
    path("item/<int:pk>/resolve/", views.item_resolve, name="moderation_item_resolve"),
    path("item/<int:pk>/note/", views.item_note, name="moderation_item_note"),
    path("post/<int:pk>/", views.post_detail, name="moderation_post"),
    path("post/<int:pk>/hide/", views.post_hide, name="moderation_post_hide"),
    path("post/<int:pk>/restore/", views.post_restore, name="moderation_post_restore"),
    path("post/<int:pk>/approve/", views.post_approve, name="moderation_post_approve"),
    path("post/<int:pk>/reject/", views.post_reject, name="moderation_post_reject"),
    path("post/<int:pk>/edit/", views.post_edit, name="moderation_post_edit"),
    path("post/<int:pk>/redact/", views.post_redact, name="moderation_post_redact"),
    path("image/<int:pk>/", views.image, name="moderation_image"),
    path("image/<int:pk>/approve/", views.image_approve, name="moderation_image_approve"),
    path("image/<int:pk>/reject/", views.image_reject, name="moderation_image_reject"),
    path("thread/<int:pk>/", views.thread_detail, name="moderation_thread"),
    path("thread/<int:pk>/lock/", views.thread_lock, name="moderation_thread_lock"),
    path("thread/<int:pk>/unlock/", views.thread_unlock, name="moderation_thread_unlock"),
    path("thread/<int:pk>/pin/", views.thread_pin, name="moderation_thread_pin"),
    path("thread/<int:pk>/unpin/", views.thread_unpin, name="moderation_thread_unpin"),
    path("thread/<int:pk>/hide/", views.thread_hide, name="moderation_thread_hide"),
    path("thread/<int:pk>/restore/", views.thread_restore, name="moderation_thread_restore"),
    path("thread/<int:pk>/move/", views.thread_move, name="moderation_thread_move"),
    path("thread/<int:pk>/merge/", views.thread_merge, name="moderation_thread_merge"),
    path("member/<int:pk>/suspend/", views.member_suspend, name="moderation_suspend"),
    path("suspension/<int:pk>/lift/", views.suspension_lift, name="moderation_suspension_lift"),
    path("suspensions/", views.suspensions, name="moderation_suspensions"),
]
