"""The moderators' pages for threads (lock, pin, hide, restore, move, merge) and members
(suspensions)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum import access
from forum.models import (
    Category,
    ModerationAction,
    Post,
    PostState,
    Suspension,
)
from forum.moderation import suspensions as member_suspensions
from forum.moderation import threads
from forum.moderation.forms import (
    MergeForm,
    MoveForm,
    ReasonForm,
    SuspendForm,
)
from forum.moderation.views import (
    _back,
    _moderated_thread,
    _refused,
    _thread_page,
)

# --- Threads ----------------------------------------------------------------------------------


@require_GET
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A thread's moderation page: its state, tools and log."""
    thread = _moderated_thread(request, pk)
    history = (
        ModerationAction.objects.filter(thread=thread)
        .select_related("actor")
        .order_by("-created_at", "-id")[:50]
    )
    waiting = (
        Post.objects.filter(thread=thread)
        .exclude(state=PostState.VISIBLE)
        .select_related("author")
        .order_by("post_number")[:50]
    )
    return render(
        request,
        "forum/moderation/thread.html",
        {"thread": thread, "history": history, "not_visible": waiting},
    )


def _thread_action(request: HttpRequest, pk: int, operation, done: str) -> HttpResponse:
    thread = _moderated_thread(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        operation(actor=request.user, thread=thread, reason=reason)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"The thread is {done}.")
    return _back(request, _thread_page(thread))


@require_POST
def thread_lock(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, threads.thread_lock, "locked")


@require_POST
def thread_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, threads.thread_unlock, "unlocked")


@require_POST
def thread_pin(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, threads.thread_pin, "pinned")


@require_POST
def thread_unpin(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, threads.thread_unpin, "unpinned")


@require_POST
def thread_hide(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, threads.thread_hide, "hidden from its category")


@require_POST
def thread_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, threads.thread_restore, "listed again")


@require_http_methods(["GET", "POST"])
def thread_move(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _moderated_thread(request, pk)
    categories = Category.objects.filter(access.moderated_categories_q(request.user)).exclude(
        pk=thread.category_id
    )
    form = MoveForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            threads.thread_move(
                actor=request.user,
                thread=thread,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The thread is now in {form.cleaned_data['category']}.")
            return redirect(_thread_page(thread))
    return render(
        request,
        "forum/moderation/thread_move.html",
        {"form": form, "thread": thread, "has_targets": categories.exists()},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def thread_merge(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _moderated_thread(request, pk)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        into = form.cleaned_data["into"]
        if not access.is_category_moderator(request.user, into.category):
            form.add_error("into", "You do not moderate the category of that thread.")
        else:
            try:
                threads.thread_merge(
                    actor=request.user, thread=thread, into=into, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"The thread is merged into “{into.title}”.")
                return redirect(_thread_page(into))
    return render(
        request,
        "forum/moderation/thread_merge.html",
        {"form": form, "thread": thread},
        status=400 if form.errors else 200,
    )


# --- Members ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def member_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_suspend_from_forum(request.user):
        raise PermissionDenied
    member = get_object_or_404(get_user_model(), pk=pk)
    if not access.can_open_suspensions_of(request.user, member):
        raise Http404
    suspensions = Suspension.objects.filter(member=member).select_related(
        "created_by", "lifted_by"
    )[:20]
    in_force = Suspension.objects.in_force().filter(member=member).first()
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_suspensions.member_suspend(
                actor=request.user,
                member=member,
                until=form.until(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{member} is suspended from posting.")
            return redirect("forum:moderation_suspend", pk=member.pk)
    recent_posts = (
        Post.objects.filter(author=member)
        .filter(access.moderated_categories_q(request.user, prefix="thread__category__"))
        .select_related("thread")
        .order_by("-created_at")[:10]
    )
    return render(
        request,
        "forum/moderation/suspend.html",
        {
            "form": form,
            "member": member,
            "suspensions": suspensions,
            "in_force": in_force,
            "recent_posts": recent_posts,
            "may_suspend": member.pk != request.user.pk
            and access.can_suspend_member(request.user, member),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def suspension_lift(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_suspend_from_forum(request.user):
        raise PermissionDenied
    suspension = get_object_or_404(Suspension.objects.select_related("member"), pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        member_suspensions.suspension_lift(actor=request.user, suspension=suspension, reason=reason)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"The suspension of {suspension.member} is lifted.")
    return redirect("forum:moderation_suspend", pk=suspension.member_id)


@require_GET
def suspensions(request: HttpRequest) -> HttpResponse:
    """Suspensions in force now."""
    if not access.can_suspend_from_forum(request.user):
        raise PermissionDenied
    in_force = (
        Suspension.objects.in_force()
        .select_related("member", "created_by")
        .order_by("until", "pk")[:200]
    )
    return render(request, "forum/moderation/suspensions.html", {"suspensions": in_force})
