"""Pages of the members' forum. Each view parses input with a form, asks
forum/access.py, calls forum/services/ or forum/selectors.py, and picks a response.

A thread or category the person may not read answers 404, the same as one that does not
exist, so no title leaks; but a thread that joining, renewing or taking a seat would open
answers 403 with that next step (still without its title); acting on someone else's post
answers 403.
"""

import logging
import math
from typing import NoReturn

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from forum import access, forms, notices, post_fragments, search, selectors
from forum.models import (
    FILE_DELETED,
    AttachmentApproval,
    Category,
    Post,
    PostAttachment,
    PostState,
    Thread,
)
from forum.services import posting, reading
from members import access as members_access
from network.files import protected_file_response, safe_filename
from network.forms import written_back
from network.pagination import page_number

logger = logging.getLogger(__name__)


def _category_or_404(user, slug: str) -> Category:
    category = get_object_or_404(Category, slug=slug)
    if not access.can_read_category(user, category):
        raise Http404
    return category


def _thread_or_404(user, pk: int, *, with_reader_state: bool = False) -> Thread:
    threads = Thread.objects.select_related("category", "author", "merged_into").defer(
        "search_vector", "merged_into__search_vector"
    )
    if with_reader_state and user.is_authenticated:
        threads = selectors.with_reader_state(threads, user)
    thread = get_object_or_404(threads, pk=pk)
    if not access.can_read_thread(user, thread):
        _refuse_reading(user, thread)
    return thread


def _post_or_404(user, pk: int) -> Post:
    post = get_object_or_404(Post.objects.select_related("thread__category", "author"), pk=pk)
    if not access.can_read_thread(user, post.thread):
        _refuse_reading(user, post.thread)
    if post.state in (PostState.HELD, PostState.HIDDEN) and not access.can_see_post_body(
        user, post
    ):
        raise Http404
    return post


class MembersOnly(PermissionDenied):
    """A thread the person could read by joining, renewing or taking a seat: the 403
    page (network.views.permission_denied) renders `template_name` with
    `page_context()`, which says which and what to do, and nothing of the thread
    itself; a reply or edit sent meanwhile is shown back to be copied."""

    template_name = "forum/members_only.html"

    def __init__(self, user, refusal: access.PostRefusal):
        super().__init__(refusal.label)
        self.user = user
        self.refusal = refusal

    def page_context(self, request: HttpRequest) -> dict:
        return {**_refusal_context(self.user, self.refusal), "written": written_back(request)}


def _refuse_reading(user, thread: Thread) -> NoReturn:
    refusal = access.reading_refusal(user, thread)
    if refusal is None:
        raise Http404
    raise MembersOnly(user, refusal)


def _refusal_context(user, refusal: access.PostRefusal | None) -> dict:
    """What a page needs to say why `user` may not post and what to do next: the reason,
    and the organisation to ask for a seat or the suspension in force where they apply."""
    return {
        "refusal": refusal,
        "refusal_organisation": (
            members_access.colleague_organisation(user)
            if refusal == access.PostRefusal.NO_SEAT
            else None
        ),
        "suspension": (
            access.forum_suspension(user) if refusal == access.PostRefusal.SUSPENDED else None
        ),
    }


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


# --- Index, categories ---------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    categories = selectors.forum_index(request.user)
    refusal = access.forum_refusal(request.user)
    return render(
        request,
        "forum/index.html",
        {"categories": categories, **_refusal_context(request.user, refusal)},
    )


def category(request: HttpRequest, slug: str) -> HttpResponse:
    category = _category_or_404(request.user, slug)
    per_page = settings.FORUM_THREADS_PER_PAGE
    num_pages = max(math.ceil(category.thread_count / per_page), 1)
    page = page_number(request.GET.get("page"), last=num_pages)
    threads = selectors.category_threads(category, page=page, per_page=per_page)
    refusal = access.post_refusal(request.user, category)
    return render(
        request,
        "forum/category.html",
        {
            "category": category,
            "rows": selectors.thread_rows(request.user, threads),
            "awaiting_review": selectors.own_threads_awaiting_review(request.user, category),
            "page": page,
            "num_pages": num_pages,
            "can_post": refusal is None,
            "following": category.pk in selectors.followed_category_ids(request.user),
            **_refusal_context(request.user, refusal),
        },
    )


@require_POST
def category_mark_read(request: HttpRequest, slug: str) -> HttpResponse:
    category = _category_or_404(request.user, slug)
    reading.category_mark_read(user=request.user, category=category)
    messages.success(request, f"Everything in {category.name} is marked as read.")
    return redirect(category)


@require_POST
def category_follow(request: HttpRequest, slug: str) -> HttpResponse:
    category = _category_or_404(request.user, slug)
    if request.POST.get("action") == "unfollow":
        reading.category_unfollow(user=request.user, category=category)
        messages.success(request, f"You no longer follow {category.name}.")
    else:
        reading.category_follow(user=request.user, category=category)
        messages.success(
            request, f"You follow {category.name}: you will hear about every new thread."
        )
    return redirect(category)


# --- Reading threads ---------------------------------------------------------------------


# Once someone has confirmed the never-identify-a-child reminder it is never asked again;
# their session remembers it, so a thread page need not ask the database each time.
CHILD_SAFETY_CONFIRMED = "forum_child_safety_confirmed"


def _needs_child_safety_confirmation(request: HttpRequest) -> bool:
    if request.session.get(CHILD_SAFETY_CONFIRMED):
        return False
    if posting.needs_child_safety_confirmation(request.user):
        return True
    request.session[CHILD_SAFETY_CONFIRMED] = True
    return False


def thread(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    thread = _thread_or_404(request.user, pk, with_reader_state=True)
    if thread.merged_into_id:
        return redirect(thread.merged_into)
    if slug != thread.slug:
        # A title redacted since (or a link typed by hand): the same page of the thread.
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(f"{thread.get_absolute_url()}{query}")
    user = request.user
    category = thread.category
    may = access.PostPermissions(user, category)
    is_moderator = may.moderator
    per_page = settings.FORUM_POSTS_PER_PAGE
    last_number = selectors.last_shown_post_number(thread, user, moderator=is_moderator)
    num_pages = max(math.ceil(last_number / per_page), 1)
    page = page_number(request.GET.get("page"))
    if page > num_pages:
        return redirect(f"{thread.get_absolute_url()}?page={num_pages}")
    links = _post_links(thread)
    posts = []
    for post in selectors.thread_page_posts(thread, user, page=page, per_page=per_page):
        post.show_body = may.see_body(post)
        if post.state == PostState.HELD and not post.show_body:
            continue  # not there yet for anyone but its author and the moderators
        post.links = {name: link.format(pk=post.pk, n=post.post_number) for name, link in links}
        post.can_edit = may.edit(post)
        post.can_delete = may.delete(post)
        post.can_report = may.report(post)
        post.can_react = may.react(post)
        post.visible_attachments = [
            a
            for a in post.attachments.all()
            # Taken down, a file leaves (without its name) "removed by the moderators".
            if a.approval in (AttachmentApproval.APPROVED, AttachmentApproval.REMOVED)
            or is_moderator
            or (a.approval == AttachmentApproval.PENDING and post.author_id == user.pk)
        ]
        # As text: the template writes it seven times, and an integer would go through
        # number localisation each time.
        post.number = str(post.post_number)
        posts.append(post)
    visible_numbers = [p.post_number for p in posts if p.state == PostState.VISIBLE]
    # Rereading a page moves nothing: no statement, so no row lock and no commit to wait
    # for (the pointer's upsert locks the row even when it leaves it as it was).
    if visible_numbers and max(visible_numbers) > (getattr(thread, "read_to", None) or 0):
        reading.thread_mark_read(user=user, thread=thread, up_to=max(visible_numbers))
    can_reply = access.can_reply(user, thread)
    refusal = None if can_reply else access.reply_refusal(user, thread)
    ask = can_reply and _needs_child_safety_confirmation(request)
    here = request.get_full_path()
    page_messages = notices.notices_place(request, posts)
    if not is_moderator:
        # A post with something to say at it is rendered whole, not from the cache.
        plain = [post for post in posts if not post.notices]
        for post, html in zip(
            plain,
            post_fragments.posts_html(request, plain, here=here, can_reply=can_reply),
            strict=True,
        ):
            post.html = html
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
            "is_moderator": is_moderator,
            "can_reply": can_reply,
            "following": selectors.following_thread(thread),
            "form": forms.PostForm(ask_confirmation=ask) if can_reply else None,
            "here": here,
            "messages": page_messages,
            **_refusal_context(user, refusal),
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
    # The same page of the thread, as a wrong slug keeps it (thread below).
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    return redirect(f"{thread.get_absolute_url()}{query}")


def post_link(request: HttpRequest, thread_pk: int, post_number: int) -> HttpResponse:
    """A post's permanent address: the page of the thread it is on, at its anchor."""
    thread = _thread_or_404(request.user, thread_pk)
    if thread.merged_into_id:
        # Links in emails and quotes name the post by its old thread and number.
        into_pk, post_number = selectors.merged_post_location(thread, post_number)
        thread = _thread_or_404(request.user, into_pk)
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
        reading.thread_unfollow(user=request.user, thread=thread)
        messages.success(request, "You no longer follow this thread.")
    else:
        reading.thread_follow(user=request.user, thread=thread)
        messages.success(request, "You follow this thread.")
    return redirect(thread)


def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PostAttachment.objects.select_related("post__thread__category"), pk=pk)
    post = item.post
    user = request.user
    if not access.can_read_thread(user, post.thread) or not access.can_see_post_body(user, post):
        raise Http404
    if item.approval in FILE_DELETED:
        raise Http404  # its file was deleted: moderators too find nothing here
    is_moderator = access.is_category_moderator(user, post.thread.category)
    if (
        item.approval == AttachmentApproval.PENDING
        and not is_moderator
        and post.author_id != user.pk
    ):
        raise Http404
    if not item.metadata_stripped:
        # An image as uploaded still carries its location and camera details: nobody,
        # moderators included, opens it until the task has stripped them (a moment).
        raise Http404
    try:
        return protected_file_response(
            request,
            item.file,
            filename=safe_filename(item.original_filename, extension=item.extension),
            content_type=item.content_type,
            as_attachment=not item.is_image,
        )
    except FileNotFoundError:
        logger.error("forum attachment file missing from storage attachment=%s", item.pk)
        raise Http404("The file is not available.") from None


def search_view(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET)
    q, cut_notice = search.query_bound(form.cleaned_data["q"] if form.is_valid() else "")
    page = page_number(request.GET.get("page"))
    results, has_next = search.search(request.user, q, page=page) if q else ([], False)
    # Why nothing was found, asked only then: a search of words such as "the" and "of".
    too_common = bool(q) and not results and search.only_common_words(q)
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
            "too_common": too_common,
        },
    )
