"""The moderators' pages: the review queue and its items (post_views.py has the pages for
one post and its images, thread_views.py those for threads and members).

Every view asks forum/access.py whether the person moderates the category concerned
(403 otherwise, without naming what was asked for), parses input with a form, calls one
operation of forum/moderation/, and sends the moderator back where they came from. A
refused operation (ValidationError) is shown with the form, keeping what was typed.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from forum import access, quotes, screening
from forum.models import (
    REVIEW_OVERDUE_AFTER,
    Post,
    ReviewItem,
    Thread,
)
from forum.moderation import actions
from forum.moderation import queue as moderation_queue
from forum.moderation.forms import (
    NoteForm,
    ResolveForm,
)
from forum.moderation.queue import Decision
from forum.services.reports import reporter_records
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
    item = items.prefetch_related(*moderation_queue.item_prefetches()).filter(pk=pk).first()
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
    quoted_in: list[Post]
    # What its post quotes that readers no longer see: why it was held, or worth knowing.
    quotes_not_shown: list[Post]
    title_pieces: list[tuple[str, bool]]

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
    records = reporter_records([report.reporter_id for report in reports])
    for report in reports:
        report.record = records[report.reporter_id]
    quoted_in = quotes.quoting_posts(item.post for item in items)
    quotes_not_shown = screening.quotes_not_shown(item.post for item in items)
    entries = []
    for item in items:
        decisions = Decision.choices_for(item)
        form = (forms or {}).get(item.pk) or ResolveForm(
            choices=decisions, prefix=f"item-{item.pk}"
        )
        pieces = moderation_queue.highlighted_body(item.post, patterns)
        entries.append(
            QueueEntry(
                item=item,
                pieces=pieces,
                decisions=decisions,
                form=form,
                quoted_in=quoted_in[item.post_id],
                quotes_not_shown=quotes_not_shown[item.post_id],
                title_pieces=moderation_queue.highlighted_title(item.post, patterns),
            )
        )
    return entries


# --- The review queue -------------------------------------------------------------------------


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Open items, urgent first then oldest first; items waiting over 24 hours flagged."""
    _require_queue(request)
    show_resolved = request.GET.get("show") == "resolved"
    user = request.user
    items = (
        moderation_queue.resolved_items(user)
        if show_resolved
        else moderation_queue.review_queue(user)
    )
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
    context = {"entry": entry, "item": item, "note_form": note_form or NoteForm()}
    if request.method == "POST":
        # Shown again after a refused form, at the form's own address (POST only): the
        # page's other forms come back to the item's page, not to that address.
        context["next"] = reverse("forum:moderation_item", args=[item.pk])
    return render(request, "forum/moderation/item.html", context, status=status)


@require_POST
def item_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    item = _moderated_item(request, pk)
    form = ResolveForm(request.POST, choices=Decision.choices_for(item), prefix=f"item-{item.pk}")
    if form.is_valid():
        try:
            actions.review_resolve(
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
            moderation_queue.review_note_add(
                actor=request.user, item=item, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(request, "Your note was added.")
            return redirect("forum:moderation_item", pk=item.pk)
    return _item_page(request, item, note_form=form, status=400)
