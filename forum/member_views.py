"""A member's own forum pages: notifications, bookmarks, settings, and the one-click
unsubscribe from forum emails."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from forum import access, forms, notifications, selectors
from forum.models import (
    Follow,
    ForumPreference,
    PostBookmark,
    PostState,
    Thread,
)
from forum.services import reading

# --- The member's own lists and settings -------------------------------------------------


def notifications_list(request: HttpRequest) -> HttpResponse:
    notes = list(
        selectors.notifications_listed(request.user)
        .select_related("thread", "actor", "post")
        .order_by("-created_at", "-id")[:50]
    )
    return render(
        request,
        "forum/notifications.html",
        {"notes": notes, "unread": sum(1 for n in notes if n.read_at is None)},
    )


def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(
        selectors.notifications_to_open(request.user).select_related("post"), pk=pk
    )
    reading.notifications_mark_read(user=request.user, ids=[note.pk])
    if note.decision_id is not None and not note.opens_post:
        # A notice to a reporter of a post hidden or gone since: its text is all there is,
        # and the post's address would only answer that something is there.
        return redirect("forum:notifications")
    return redirect(
        reverse(
            "forum:post",
            kwargs={"thread_pk": note.thread_id, "post_number": note.post.post_number},
        )
    )


def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("forum:notifications")  # the list has the button
    note = request.POST.get("note", "")
    if note.isdigit():
        # One notice with nothing to open (a reporter's, of a post hidden since) is
        # marked read by its own button.
        reading.notifications_mark_read(user=request.user, ids=[int(note)])
        messages.success(request, "The notification is marked as read.")
    else:
        reading.notifications_mark_read(user=request.user)
        messages.success(request, "All notifications are marked as read.")
    return redirect("forum:notifications")


def bookmarks(request: HttpRequest) -> HttpResponse:
    kept = (
        PostBookmark.objects.filter(
            access.readable_categories_q(request.user, prefix="post__thread__category__"),
            user=request.user,
            post__state=PostState.VISIBLE,
            post__thread__state="visible",
        )
        .select_related("post__thread__category", "post__author")
        .order_by("-created_at")[:100]
    )
    return render(request, "forum/bookmarks.html", {"bookmarks": kept})


def preferences(request: HttpRequest) -> HttpResponse:
    current = reading.preference_for(request.user)
    if request.method == "POST":
        form = forms.PreferenceForm(request.POST, instance=current)
        if form.is_valid():
            reading.preference_save(user=request.user, **form.cleaned_data)
            messages.success(request, "Your forum settings are saved.")
            return redirect("forum:preferences")
    else:
        form = forms.PreferenceForm(instance=current)
    follows = (
        Follow.objects.filter(user=request.user, is_muted=False)
        .select_related("thread", "category")
        .order_by("-created_at")
    )
    readable = {c.pk for c in access.readable_categories(request.user)}
    follows = [
        f
        for f in follows
        if (f.category_id or (f.thread and f.thread.category_id)) in readable
        and (f.thread is None or f.thread.state == "visible")
    ]
    return render(request, "forum/preferences.html", {"form": form, "follows": follows})


@login_not_required
@csrf_exempt  # mail clients POST the one-click unsubscribe without a CSRF token (RFC 8058)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from an email: stop emails about one thread (or the daily summary).
    GET asks to confirm (mail scanners follow links); POST does it (RFC 8058)."""
    found = notifications.read_unsubscribe_token(token)
    if found is None:
        return render(request, "forum/unsubscribe_invalid.html", status=400)
    user_id, thread_id = found
    thread = Thread.objects.filter(pk=thread_id).first() if thread_id else None
    if thread_id and thread is None:
        return render(request, "forum/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        if thread is not None:
            Follow.objects.update_or_create(
                user_id=user_id, thread=thread, defaults={"is_muted": True}
            )
        else:
            ForumPreference.objects.update_or_create(
                user_id=user_id, defaults={"notify_by": "none"}
            )
        return render(request, "forum/unsubscribed.html", {"thread": thread})
    return render(request, "forum/unsubscribe.html", {"thread": thread})
