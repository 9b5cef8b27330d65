"""The moderators' pages: the review queue and the actions on posts, threads and members.

Every view asks members/access.py whether the person moderates the category concerned
(403 otherwise, without naming what was asked for), parses input with a form, calls one
operation of forum/moderation.py, and sends the moderator back where they came from. A
refused operation (ValidationError) is shown with the form, keeping what was typed.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum import moderation, screening, services
from forum.models import (
    REVIEW_OVERDUE_AFTER,
    Category,
    ModerationAction,
    Post,
    PostAttachment,
    PostState,
    ReviewItem,
    Suspension,
    Thread,
)
from forum.moderation import Decision
from forum.moderation_forms import (
    MergeForm,
    ModeratorEditForm,
    MoveForm,
    NoteForm,
    ReasonForm,
    RedactForm,
    ResolveForm,
    SuspendForm,
)
from members import access
from network.pagination import page_number

ITEMS_PER_PAGE = 25


# --- Helpers ----------------------------------------------------------------------------------


def _require_queue(request: HttpRequest) -> None:
    if not access.is_forum_moderator(request.user):
        raise PermissionDenied


def _moderated_post(request: HttpRequest, pk: int) -> Post:
    post = get_object_or_404(
        Post.objects.select_related("thread__category", "author", "edited_by"), pk=pk
    )
    if not access.is_category_moderator(request.user, post.thread.category):
        raise PermissionDenied
    return post


def _moderated_thread(request: HttpRequest, pk: int) -> Thread:
    thread = get_object_or_404(Thread.objects.select_related("category", "author"), pk=pk)
    if not access.is_category_moderator(request.user, thread.category):
        raise PermissionDenied
    return thread


def _moderated_item(request: HttpRequest, pk: int) -> ReviewItem:
    scope = access.moderated_categories_q(request.user, prefix="post__thread__category__")
    items = ReviewItem.objects.filter(scope).select_related(
        "post__thread__category", "post__author", "resolved_by"
    )
    item = items.prefetch_related(*moderation._item_prefetches()).filter(pk=pk).first()
    if item is None:
        if ReviewItem.objects.filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    return item


def _next(request: HttpRequest) -> str:
    return request.POST.get("next") or request.GET.get("next") or ""


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """To the page the moderator came from (a thread page, the queue), or `default`."""
    target = _next(request)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _post_page(post: Post) -> str:
    return reverse("forum:moderation_post", kwargs={"pk": post.pk})


def _thread_page(thread: Thread) -> str:
    return reverse("forum:moderation_thread", kwargs={"pk": thread.pk})


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


@dataclass
class QueueEntry:
    item: ReviewItem
    pieces: list[tuple[str, bool]]
    decisions: dict[str, str]
    form: ResolveForm

    @property
    def reasons(self) -> list[str]:
        """Each reason given, once, in the order first given."""
        seen: list[str] = []
        for report in self.item.reports.all():
            label = report.get_reason_display()
            if label not in seen:
                seen.append(label)
        return seen


def _entries(items, *, forms: dict[int, ResolveForm] | None = None) -> list[QueueEntry]:
    patterns = screening.active_patterns()
    items = list(items)
    # Each reporter's record beside their report: one query for the whole page.
    reports = [report for item in items for report in item.reports.all()]
    records = services.reporter_records([report.reporter_id for report in reports])
    for report in reports:
        report.record = records[report.reporter_id]
    entries = []
    for item in items:
        decisions = Decision.choices_for(item)
        form = (forms or {}).get(item.pk) or ResolveForm(
            choices=decisions, prefix=f"item-{item.pk}"
        )
        pieces = moderation.highlighted_body(item.post, patterns)
        entries.append(QueueEntry(item=item, pieces=pieces, decisions=decisions, form=form))
    return entries


# --- The review queue -------------------------------------------------------------------------


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Open items, urgent first then oldest first; items waiting over 24 hours flagged."""
    _require_queue(request)
    show_resolved = request.GET.get("show") == "resolved"
    user = request.user
    items = moderation.resolved_items(user) if show_resolved else moderation.review_queue(user)
    page = Paginator(items, ITEMS_PER_PAGE).get_page(page_number(request.GET.get("page")))
    scope = access.moderated_categories_q(user, prefix="post__thread__category__")
    overdue_before = timezone.now() - REVIEW_OVERDUE_AFTER
    counts = (
        ReviewItem.objects.open()
        .filter(scope)
        .aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(created_at__lt=overdue_before)),
            urgent=Count("pk", filter=Q(is_urgent=True)),
        )
    )
    return render(
        request,
        "forum/moderation/queue.html",
        {
            "page": page,
            "entries": _entries(page.object_list),
            "show_resolved": show_resolved,
            "counts": counts,
        },
    )


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _moderated_item(request, pk)
    return _item_page(request, item)


def _item_page(request, item, *, resolve_form=None, note_form=None, status=200) -> HttpResponse:
    forms = {item.pk: resolve_form} if resolve_form is not None else None
    entry = _entries([item], forms=forms)[0]
    return render(
        request,
        "forum/moderation/item.html",
        {"entry": entry, "item": item, "note_form": note_form or NoteForm()},
        status=status,
    )


@require_POST
def item_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    item = _moderated_item(request, pk)
    form = ResolveForm(request.POST, choices=Decision.choices_for(item), prefix=f"item-{item.pk}")
    if form.is_valid():
        try:
            moderation.review_resolve(
                actor=request.user,
                item=item,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            label = Decision.choices_for(item)[form.cleaned_data["decision"]]
            messages.success(
                request,
                f"Done: post #{item.post.post_number} in “{item.post.thread.title}”. {label}.",
            )
            return _back(request, reverse("forum:moderation_queue"))
    return _item_page(request, item, resolve_form=form, status=400)


@require_POST
def item_note(request: HttpRequest, pk: int) -> HttpResponse:
    item = _moderated_item(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            moderation.review_note_add(
                actor=request.user, item=item, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(request, "Your note was added.")
            return redirect("forum:moderation_item", pk=item.pk)
    return _item_page(request, item, note_form=form, status=400)


# --- Posts ------------------------------------------------------------------------------------


@require_GET
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A post as moderators see it: its text, state, edit history and moderation log."""
    post = _moderated_post(request, pk)
    revisions = post.revisions.select_related("edited_by")
    history = ModerationAction.objects.filter(post=post).select_related("actor")[:50]
    open_item = ReviewItem.objects.open().filter(post=post).first()
    images = post.attachments.filter(is_image=True)
    return render(
        request,
        "forum/moderation/post.html",
        {
            "post": post,
            "thread": post.thread,
            "revisions": revisions,
            "history": history,
            "open_item": open_item,
            "images": images,
        },
    )


def _post_action(request: HttpRequest, pk: int, operation, done: str) -> HttpResponse:
    post = _moderated_post(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _refused(request, ValidationError(form.errors["reason"]))
        return _back(request, _post_page(post))
    try:
        operation(actor=request.user, post=post, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Post #{post.post_number} {done}.")
    return _back(request, _post_page(post))


@require_POST
def post_hide(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, moderation.post_hide, "is hidden")


@require_POST
def post_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, moderation.post_restore, "is visible again")


@require_POST
def post_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, moderation.post_reject, "was rejected")


@require_POST
def post_approve(request: HttpRequest, pk: int) -> HttpResponse:
    post = _moderated_post(request, pk)
    try:
        moderation.publish_held_post(actor=request.user, post=post)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Post #{post.post_number} is published.")
    return _back(request, _post_page(post))


@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit with a reason shown to readers; the earlier text is kept as a revision."""
    post = _moderated_post(request, pk)
    form = ModeratorEditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            moderation.post_moderator_edit(
                actor=request.user,
                post=post,
                body=form.cleaned_data["body"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Post #{post.post_number} is edited.")
            return _back(request, _post_page(post))
    return render(
        request,
        "forum/moderation/post_form.html",
        {"form": form, "post": post, "redacting": False, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def post_redact(request: HttpRequest, pk: int) -> HttpResponse:
    """Take text out for good: earlier versions holding it are deleted too."""
    post = _moderated_post(request, pk)
    opens_thread = post.post_number == 1
    form = RedactForm(
        request.POST or None,
        initial={"body": post.body, "title": post.thread.title},
        opens_thread=opens_thread,
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = moderation.post_redact(
                actor=request.user,
                post=post,
                body=form.cleaned_data["body"],
                reason=form.cleaned_data["reason"],
                purge_all_revisions=form.cleaned_data["purge_all_revisions"],
                title=form.cleaned_data.get("title") if opens_thread else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Post #{post.post_number} is redacted; {result.revisions_purged} earlier "
                f"version{'s' if result.revisions_purged != 1 else ''} deleted.",
            )
            if result.posts_still_holding:
                numbers = ", ".join(f"#{p.post_number}" for p in result.posts_still_holding)
                messages.warning(
                    request,
                    f"Other posts in this thread still contain words you took out "
                    f"(perhaps by quoting): {numbers}. Redact them too if needed.",
                )
            return redirect(_post_page(post))
    return render(
        request,
        "forum/moderation/post_form.html",
        {"form": form, "post": post, "redacting": True, "next": _next(request)},
        status=400 if form.errors else 200,
    )


# --- Images -----------------------------------------------------------------------------------


def _moderated_image(request: HttpRequest, pk: int) -> PostAttachment:
    attachment = get_object_or_404(
        PostAttachment.objects.select_related("post__thread__category"), pk=pk, is_image=True
    )
    if not access.is_category_moderator(request.user, attachment.post.thread.category):
        raise PermissionDenied
    return attachment


@require_GET
def image(request: HttpRequest, pk: int) -> HttpResponse:
    """A waiting image, for the moderator deciding on it (never cached)."""
    attachment = _moderated_image(request, pk)
    if not attachment.file or not attachment.metadata_stripped:
        raise Http404  # still carries its metadata (location), until the task strips it
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _image_action(request: HttpRequest, pk: int, operation, done: str) -> HttpResponse:
    attachment = _moderated_image(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        operation(actor=request.user, attachment=attachment, reason=reason)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"The image is {done}.")
    return _back(request, _post_page(attachment.post))


@require_POST
def image_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _image_action(request, pk, moderation.attachment_approve, "approved")


@require_POST
def image_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _image_action(request, pk, moderation.attachment_reject, "rejected and deleted")


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
    return _thread_action(request, pk, moderation.thread_lock, "locked")


@require_POST
def thread_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, moderation.thread_unlock, "unlocked")


@require_POST
def thread_pin(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, moderation.thread_pin, "pinned")


@require_POST
def thread_unpin(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, moderation.thread_unpin, "unpinned")


@require_POST
def thread_hide(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, moderation.thread_hide, "hidden from its category")


@require_POST
def thread_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_action(request, pk, moderation.thread_restore, "listed again")


@require_http_methods(["GET", "POST"])
def thread_move(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _moderated_thread(request, pk)
    categories = Category.objects.filter(access.moderated_categories_q(request.user)).exclude(
        pk=thread.category_id
    )
    form = MoveForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.thread_move(
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
                moderation.thread_merge(
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
    suspensions = Suspension.objects.filter(member=member).select_related(
        "created_by", "lifted_by"
    )[:20]
    in_force = Suspension.objects.in_force().filter(member=member).first()
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.member_suspend(
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
        moderation.suspension_lift(actor=request.user, suspension=suspension, reason=reason)
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
