"""Pages of the members' forum. Each view parses input with a form, asks
members/access.py, calls forum/services.py or forum/selectors.py, and picks a response.

A thread or category the person may not read answers 404, the same as one that does not
exist, so no title leaks; acting on someone else's post answers 403.
"""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_sendfile import sendfile

from forum import forms, notifications, search, selectors, services
from forum.models import (
    AttachmentApproval,
    Category,
    Follow,
    ForumPreference,
    Notification,
    Post,
    PostAttachment,
    PostBookmark,
    PostState,
    Thread,
)
from members import access
from network.files import safe_filename
from network.pagination import page_number


def _category_or_404(user, slug: str) -> Category:
    category = get_object_or_404(Category, slug=slug)
    if not access.can_read_category(user, category):
        raise Http404
    return category


def _thread_or_404(user, pk: int) -> Thread:
    thread = get_object_or_404(
        Thread.objects.select_related("category", "author", "merged_into").defer(
            "search_vector", "merged_into__search_vector"
        ),
        pk=pk,
    )
    if not access.can_read_thread(user, thread):
        raise Http404
    return thread


def _post_or_404(user, pk: int) -> Post:
    post = get_object_or_404(Post.objects.select_related("thread__category", "author"), pk=pk)
    if not access.can_read_thread(user, post.thread):
        raise Http404
    if post.state in (PostState.HELD, PostState.HIDDEN) and not access.can_see_post_body(
        user, post
    ):
        raise Http404
    return post


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


# --- Index, categories ---------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    categories = selectors.forum_index(request.user)
    return render(
        request,
        "forum/index.html",
        {
            "categories": categories,
            "is_member": access.is_member(request.user),
            "is_lapsed": access.is_lapsed(request.user) if not categories else False,
        },
    )


def category(request: HttpRequest, slug: str) -> HttpResponse:
    category = _category_or_404(request.user, slug)
    per_page = settings.FORUM_THREADS_PER_PAGE
    num_pages = max(math.ceil(category.thread_count / per_page), 1)
    page = page_number(request.GET.get("page"), last=num_pages)
    threads = selectors.category_threads(category, page=page, per_page=per_page)
    return render(
        request,
        "forum/category.html",
        {
            "category": category,
            "rows": selectors.thread_rows(request.user, threads),
            "page": page,
            "num_pages": num_pages,
            "can_post": access.can_post_in_category(request.user, category),
            "following": category.pk in selectors.followed_category_ids(request.user),
        },
    )


@require_POST
def category_mark_read(request: HttpRequest, slug: str) -> HttpResponse:
    category = _category_or_404(request.user, slug)
    services.category_mark_read(user=request.user, category=category)
    messages.success(request, f"Everything in {category.name} is marked as read.")
    return redirect(category)


@require_POST
def category_follow(request: HttpRequest, slug: str) -> HttpResponse:
    category = _category_or_404(request.user, slug)
    if request.POST.get("action") == "unfollow":
        services.category_unfollow(user=request.user, category=category)
        messages.success(request, f"You no longer follow {category.name}.")
    else:
        services.category_follow(user=request.user, category=category)
        messages.success(
            request, f"You follow {category.name}: you will hear about every new thread."
        )
    return redirect(category)


# --- Writing ------------------------------------------------------------------------------


def _form_errors_from(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _preview_or_write(request: HttpRequest, form, write) -> tuple[HttpResponse | None, str]:
    """For a posted thread or reply form: (the redirect once the post is written, or None
    to show the form again; the preview's HTML). `write(body=..., attachments=...,
    submission_key=..., confirmed_child_safety=...)` writes the post through a service.
    A repeated submission (a double click) lands on the post already written; a refusal
    becomes the form's errors, with what was typed kept."""
    if not form.is_valid():
        return None, ""
    data = form.cleaned_data
    if "preview" in request.POST:
        try:
            return None, services.post_preview(body=data["body"], title=data.get("title"))
        except ValidationError as error:
            _form_errors_from(form, error)
            return None, ""
    try:
        post = write(
            body=data["body"],
            attachments=data["attachments"],
            submission_key=data.get("submission_key"),
            confirmed_child_safety=data.get("confirm_child_safety", False),
        )
    except services.DuplicateSubmission as duplicate:
        return redirect(duplicate.post.get_absolute_url()), ""
    except ValidationError as error:
        _form_errors_from(form, error)
        return None, ""
    _posted_message(request, post)
    return redirect(post.get_absolute_url()), ""


def thread_create(request: HttpRequest, slug: str) -> HttpResponse:
    category = _category_or_404(request.user, slug)
    if not access.can_post_in_category(request.user, category):
        return _cannot_post(request, category)
    ask = services.needs_child_safety_confirmation(request.user)
    preview = ""
    if request.method == "POST":
        form = forms.ThreadForm(request.POST, request.FILES, ask_confirmation=ask)
        written, preview = _preview_or_write(
            request,
            form,
            lambda **post: services.thread_create(
                author=request.user, category=category, title=form.cleaned_data["title"], **post
            ),
        )
        if written is not None:
            return written
    else:
        form = forms.ThreadForm(ask_confirmation=ask)
    return render(
        request,
        "forum/thread_form.html",
        {"category": category, "form": form, "preview": preview},
        status=200 if not form.errors else 400,
    )


def _posted_message(request: HttpRequest, post: Post) -> None:
    if post.state == PostState.HELD:
        messages.info(
            request,
            "Thank you. Your post is awaiting review by a moderator; only you can see it "
            "until then.",
        )
    elif post.attachments.filter(approval=AttachmentApproval.PENDING).exists():
        messages.success(
            request, "Posted. Your images will appear once a moderator has approved them."
        )
    else:
        messages.success(request, "Posted.")


def _cannot_post(request: HttpRequest, category: Category) -> HttpResponse:
    suspension = access.forum_suspension(request.user)
    return render(
        request,
        "forum/cannot_post.html",
        {
            "category": category,
            "suspension": suspension,
            "is_member": access.is_member(request.user),
            "is_lapsed": access.is_lapsed(request.user),
        },
        status=403,
    )


def _quote(post: Post) -> str:
    author = post.author.name if post.author else "A former member"
    lines = "\n".join(f"> {line}" if line else ">" for line in post.body.splitlines())
    return (
        f"> **{author}** [wrote](/forum/t/{post.thread_id}/p/{post.post_number}/):\n>\n{lines}\n\n"
    )


def reply(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request.user, pk)
    if thread.merged_into_id:
        return redirect(thread.merged_into)
    if not access.can_post_in_category(request.user, thread.category):
        return _cannot_post(request, thread.category)
    ask = services.needs_child_safety_confirmation(request.user)
    preview = ""
    if request.method == "POST":
        form = forms.PostForm(request.POST, request.FILES, ask_confirmation=ask)
        written, preview = _preview_or_write(
            request,
            form,
            lambda **post: services.post_reply(author=request.user, thread=thread, **post),
        )
        if written is not None:
            return written
    else:
        initial = {}
        quote_number = request.GET.get("quote", "")
        if quote_number.isdigit():
            quoted = (
                Post.objects.filter(
                    thread=thread, post_number=int(quote_number), state=PostState.VISIBLE
                )
                .select_related("author")
                .first()
            )
            if quoted is not None:
                initial["body"] = _quote(quoted)
        form = forms.PostForm(initial=initial, ask_confirmation=ask)
    return render(
        request,
        "forum/reply_form.html",
        {
            "thread": thread,
            "category": thread.category,
            "form": form,
            "preview": preview,
            "locked": thread.is_locked
            and not access.is_category_moderator(request.user, thread.category),
        },
        status=200 if not form.errors else 400,
    )


def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request.user, pk)
    if not access.can_edit_post(request.user, post):
        raise PermissionDenied("You cannot edit this post.")
    is_moderating = post.author_id != request.user.pk
    preview = ""
    if request.method == "POST":
        form = forms.EditForm(request.POST)
        if form.is_valid():
            if "preview" in request.POST:
                try:
                    preview = services.post_preview(body=form.cleaned_data["body"])
                except ValidationError as error:
                    _form_errors_from(form, error)
            else:
                try:
                    services.post_edit(
                        editor=request.user,
                        post=post,
                        body=form.cleaned_data["body"],
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    _form_errors_from(form, error)
                else:
                    post.refresh_from_db(fields=["state"])
                    if post.state == PostState.HELD:
                        messages.info(request, "Saved. Your post is awaiting review again.")
                    else:
                        messages.success(request, "Your changes are saved.")
                    return redirect(post.get_absolute_url())
    else:
        form = forms.EditForm(initial={"body": post.body})
    if not is_moderating:
        form.fields["reason"].widget = form.fields["reason"].hidden_widget()
    return render(
        request,
        "forum/edit_form.html",
        {
            "post": post,
            "thread": post.thread,
            "form": form,
            "preview": preview,
            "is_moderating": is_moderating,
        },
        status=200 if not form.errors else 400,
    )


@require_POST
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request.user, pk)
    if not access.can_delete_post(request.user, post):
        raise PermissionDenied("You cannot delete this post.")
    services.post_remove(user=request.user, post=post)
    messages.success(request, "Your post is removed. The thread shows that a post was removed.")
    return redirect(post.get_absolute_url())


# --- Reading threads ---------------------------------------------------------------------


def thread(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    thread = _thread_or_404(request.user, pk)
    if thread.merged_into_id:
        return redirect(thread.merged_into)
    if slug != thread.slug:
        return redirect(thread.get_absolute_url())
    user = request.user
    per_page = settings.FORUM_POSTS_PER_PAGE
    num_pages = max(math.ceil(thread.post_number_counter / per_page), 1)
    page = page_number(request.GET.get("page"))
    if page > num_pages:
        return redirect(f"{thread.get_absolute_url()}?page={num_pages}")
    category = thread.category
    is_moderator = access.is_category_moderator(user, category)
    links = _post_links(thread)
    posts = []
    for post in selectors.thread_page_posts(thread, page=page, per_page=per_page):
        post.links = {name: link.format(pk=post.pk, n=post.post_number) for name, link in links}
        if post.state == PostState.HELD and not access.can_see_post_body(
            user, post, category=category
        ):
            continue  # not there yet for anyone but its author and the moderators
        post.show_body = access.can_see_post_body(user, post, category=category)
        post.can_edit = access.can_edit_post(user, post)
        post.can_delete = access.can_delete_post(user, post)
        post.can_report = access.can_report_post(user, post)
        post.can_react = access.can_react(user, post)
        post.visible_attachments = [
            a
            for a in post.attachments.all()
            if a.approval == AttachmentApproval.APPROVED
            or is_moderator
            or (a.approval == AttachmentApproval.PENDING and post.author_id == user.pk)
        ]
        posts.append(post)
    helpful, kept = selectors.user_marks_on(user, posts)
    visible_numbers = [p.post_number for p in posts if p.state == PostState.VISIBLE]
    if visible_numbers:
        services.thread_mark_read(user=user, thread=thread, up_to=max(visible_numbers))
    can_reply = access.can_reply(user, thread)
    ask = can_reply and services.needs_child_safety_confirmation(user)
    return render(
        request,
        "forum/thread.html",
        {
            "thread": thread,
            "category": category,
            "posts": posts,
            "page": page,
            "num_pages": num_pages,
            "page_range": _page_links(page, num_pages),
            "helpful": helpful,
            "kept": kept,
            "is_moderator": is_moderator,
            "can_reply": can_reply,
            "following": selectors.is_following(user, thread),
            "form": forms.PostForm(ask_confirmation=ask) if can_reply else None,
            "here": request.get_full_path(),
        },
    )


def _post_links(thread: Thread) -> list[tuple[str, str]]:
    """The addresses a post on a thread page links to, as format strings: reverse() runs
    once per page rather than six times per post (a visible share of the page's time)."""
    pk, number = 2_147_483_646, 2_147_483_645  # markers no real id reaches
    found = [
        ("self", reverse("forum:post", kwargs={"thread_pk": thread.pk, "post_number": number})),
        ("quote", f"{reverse('forum:reply', kwargs={'pk': thread.pk})}?quote={number}"),
    ]
    for name in ("edit", "delete", "helpful", "bookmark", "report"):
        found.append((name, reverse(f"forum:post_{name}", kwargs={"pk": pk})))
    return [
        (name, link.replace(str(pk), "{pk}").replace(str(number), "{n}")) for name, link in found
    ]


def _page_links(page: int, num_pages: int) -> list[int | None]:
    """Page numbers to link: first, last and two around the current one (None: a gap)."""
    wanted = {1, num_pages, *range(page - 2, page + 3)}
    links: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= num_pages):
        if links and links[-1] is not None and number - links[-1] > 1:
            links.append(None)
        links.append(number)
    return links


def thread_short(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request.user, pk)
    return redirect(thread.get_absolute_url())


def post_link(request: HttpRequest, thread_pk: int, post_number: int) -> HttpResponse:
    """A post's permanent address: the page of the thread it is on, at its anchor."""
    thread = _thread_or_404(request.user, thread_pk)
    if thread.merged_into_id:
        return redirect(thread.merged_into)
    page = math.ceil(post_number / settings.FORUM_POSTS_PER_PAGE)
    return redirect(f"{thread.get_absolute_url()}?page={page}#post-{post_number}")


def first_unread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request.user, pk)
    number = selectors.first_unread_post_number(request.user, thread)
    if number is None:
        number = thread.last_post_number or 1
    return post_link(request, thread.pk, number)


@require_POST
def thread_follow(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request.user, pk)
    if request.POST.get("action") == "unfollow":
        services.thread_unfollow(user=request.user, thread=thread)
        messages.success(request, "You no longer follow this thread.")
    else:
        services.thread_follow(user=request.user, thread=thread)
        messages.success(request, "You follow this thread.")
    return redirect(thread)


# --- Reactions, bookmarks, reports --------------------------------------------------------


@require_POST
def post_helpful(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request.user, pk)
    if not access.can_react(request.user, post):
        raise PermissionDenied("You cannot react to this post.")
    services.reaction_toggle(user=request.user, post=post)
    return _back(request, post.get_absolute_url())


@require_POST
def post_bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request.user, pk)
    kept = services.bookmark_toggle(user=request.user, post=post)
    messages.success(request, "Bookmarked." if kept else "Bookmark removed.")
    return _back(request, post.get_absolute_url())


def post_report(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request.user, pk)
    if not access.can_report_post(request.user, post):
        raise PermissionDenied("You cannot report this post.")
    if request.method == "POST":
        form = forms.ReportForm(request.POST)
        if form.is_valid():
            try:
                services.report_create(
                    reporter=request.user,
                    post=post,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                messages.success(
                    request,
                    "Thank you: the moderators have your report. "
                    "Posts that could identify a child are hidden at once while they look.",
                )
                return redirect(post.thread)
    else:
        form = forms.ReportForm()
    return render(
        request,
        "forum/report_form.html",
        {
            "post": post,
            "thread": post.thread,
            "form": form,
            "reports_left": services.reports_left_today(request.user),
        },
        status=200 if not form.errors else 400,
    )


def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PostAttachment.objects.select_related("post__thread__category"), pk=pk)
    post = item.post
    user = request.user
    if not access.can_read_thread(user, post.thread) or not access.can_see_post_body(user, post):
        raise Http404
    is_moderator = access.is_category_moderator(user, post.thread.category)
    if item.approval == AttachmentApproval.REJECTED and not is_moderator:
        raise Http404
    if (
        item.approval == AttachmentApproval.PENDING
        and not is_moderator
        and post.author_id != user.pk
    ):
        raise Http404
    return sendfile(
        request,
        item.file.path,
        attachment=not item.is_image,
        attachment_filename=safe_filename(item.original_filename, extension=item.extension),
        mimetype=item.content_type,
    )


# --- The member's own lists and settings -------------------------------------------------


def notifications_list(request: HttpRequest) -> HttpResponse:
    notes = list(
        request.user.forum_notifications.filter(
            post__state=PostState.VISIBLE, thread__state="visible"
        )
        .select_related("thread", "actor", "post")
        .order_by("-created_at", "-id")[:50]
    )
    readable = {c.pk for c in access.readable_categories(request.user)}
    notes = [n for n in notes if n.thread.category_id in readable]
    return render(
        request,
        "forum/notifications.html",
        {"notes": notes, "unread": sum(1 for n in notes if n.read_at is None)},
    )


def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notifications_mark_read(user=request.user, ids=[note.pk])
    return redirect(
        reverse(
            "forum:post",
            kwargs={"thread_pk": note.thread_id, "post_number": note.post.post_number},
        )
    )


def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("forum:notifications")  # the list has the button
    services.notifications_mark_read(user=request.user)
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
    current = services.preference_for(request.user)
    if request.method == "POST":
        form = forms.PreferenceForm(request.POST, instance=current)
        if form.is_valid():
            services.preference_save(user=request.user, **form.cleaned_data)
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


def search_view(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET)
    q, cut_notice = search.query_bound(form.cleaned_data["q"] if form.is_valid() else "")
    page = page_number(request.GET.get("page"))
    results, has_next = search.search(request.user, q, page=page) if q else ([], False)
    return render(
        request,
        "forum/search.html",
        {
            "form": form,
            "q": q,
            "cut_notice": cut_notice,
            "results": results,
            "page": page,
            "has_next": has_next,
        },
    )


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
