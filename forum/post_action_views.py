"""What a reader does to a post on a thread page: marks it helpful, bookmarks it, reports
it. A report refused (ValidationError) is shown with the form, keeping what was typed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from forum import access, forms, notices
from forum.models import Post, PostState, Thread, ThreadState
from forum.posting_views import _form_errors_from
from forum.services import reactions, reports
from forum.views import _back, _post_or_404


@require_POST
def post_helpful(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request.user, pk)
    if not access.can_react(request.user, post):
        raise PermissionDenied("You cannot react to this post.")
    reactions.reaction_toggle(user=request.user, post=post)
    return _back(request, post.get_absolute_url())


@require_POST
def post_bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request.user, pk)
    kept = reactions.bookmark_toggle(user=request.user, post=post)
    notices.post_notice(
        request, messages.SUCCESS, "Bookmarked." if kept else "Bookmark removed.", post
    )
    return _back(request, post.get_absolute_url())


def _gone_before_the_report(request: HttpRequest, pk: int) -> HttpResponse | None:
    """A report form opened before the post was taken down (another member's urgent
    report hid it, its author removed it) and sent after: the reader is told it is gone,
    as its thread now shows them, rather than meeting "page not found" and wondering
    whether the moderators ever heard."""
    post = (
        Post.objects.select_related("thread__category")
        .filter(pk=pk, state__in=[PostState.HIDDEN, PostState.REMOVED])
        .first()
    )
    if post is None or not access.can_read_thread(request.user, post.thread):
        return None
    if access.can_see_post_body(request.user, post):
        return None  # a moderator: the form's own refusal stands
    messages.info(
        request,
        (
            "This post is already hidden while the moderators look at reports about it: "
            "there is nothing more to report."
            if post.hidden_by_reports
            else "The moderators have hidden this post: there is nothing more to report."
        )
        if post.state == PostState.HIDDEN
        else "Its author has removed this post. If the moderators should still know about "
        "it, use the contact page.",
    )
    return redirect(post)


def post_report(request: HttpRequest, pk: int) -> HttpResponse:
    gone = _gone_before_the_report(request, pk)
    if gone is not None:
        return gone
    post = _post_or_404(request.user, pk)
    if not access.can_report_post(request.user, post):
        raise PermissionDenied("You cannot report this post.")
    if request.method == "POST":
        form = forms.ReportForm(request.POST)
        if form.is_valid():
            try:
                reports.report_create(
                    reporter=request.user,
                    post=post,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                post.refresh_from_db(fields=["state"])
                thread = Thread.objects.select_related("category").get(pk=post.thread_id)
                if thread.state != ThreadState.VISIBLE:
                    # An opening post hidden takes its thread (and title) with it.
                    messages.success(
                        request,
                        "Thank you: the moderators have your report. The thread is hidden "
                        "while they look at it.",
                    )
                    return redirect(thread.category)
                notices.post_notice(
                    request,
                    messages.SUCCESS,
                    "Thank you: the moderators have your report. The post is hidden while "
                    "they look at it."
                    if post.state == PostState.HIDDEN
                    else "Thank you: the moderators have your report and will look at it.",
                    post,
                )
                # Back to the post itself: on a long thread, not to the top of page 1.
                return redirect(post)
    else:
        form = forms.ReportForm()
    # Said before the member writes anything: they reported it already, and the
    # moderators are looking or have decided on it as it still stands.
    refusal = reports.report_refusal(reporter=request.user, post=post)
    return render(
        request,
        "forum/report_form.html",
        {
            "post": post,
            "thread": post.thread,
            "form": form,
            "refused": refusal.messages[0] if refusal is not None and not form.errors else "",
            "reports_left": reports.reports_left_today(request.user),
            "urgent_reports_hide": reports.urgent_reports_hide(request.user),
        },
        status=200 if not form.errors else 400,
    )
