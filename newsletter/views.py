"""Public pages of the newsletter: sign-up, confirmation, preferences, unsubscribe, archive.

Links in emails carry a signed token as their only credential (no login). A forged,
altered or expired token gets a 400 page that says what to do, never an error.
"""

from allauth.core.ratelimit import consume
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from members.models import MemberType
from newsletter import access, selectors, services, suppressions, tokens, tracking
from newsletter.forms import AccountChoicesForm, ChoicesForm, SignUpForm
from newsletter.models import Subscriber, Suppression


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/invalid_link.html", status=400)


def _initial(subscriber: Subscriber | None) -> dict:
    if subscriber is None or subscriber.state != Subscriber.State.SUBSCRIBED:
        return {}  # never pre-ticked
    return {
        "newsletters": list(subscriber.newsletters.all()),
        "weekly_digest": subscriber.weekly_digest,
        "daily_digest": subscriber.daily_digest,
        "topics": list(subscriber.topics.all()),
    }


def _saved_text(form) -> str:
    if form.wants_something():
        return "Your email choices are saved."
    # Nothing ticked is a choice too, and a weighty one: say what it means.
    return "Your email choices are saved: with nothing ticked, we send you no newsletter or digest."


def _choices(form) -> dict:
    data = form.cleaned_data
    return {
        "newsletters": data["newsletters"],
        "weekly_digest": data["weekly_digest"],
        "daily_digest": data["daily_digest"],
        "topics": data["topics"],
    }


@login_not_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Sign up (anyone, double opt-in) or choose what to receive (signed in)."""
    user = request.user
    newsletters = selectors.newsletters_open_to(user if user.is_authenticated else None)
    data = request.POST if request.method == "POST" else None
    subscriber = None
    objection = None
    if user.is_authenticated:
        subscriber = services.subscriber_for_user(user)
        # Told plainly, with no form: only staff can undo it (a visitor typing the address
        # in the public form is answered as anyone is, so as not to disclose it).
        objection = services.account_address_objection(user=user, subscriber=subscriber)
        if objection:
            data = None
        subscribed = subscriber is not None and subscriber.state == Subscriber.State.SUBSCRIBED
        form = AccountChoicesForm(
            data, newsletters=newsletters, initial=_initial(subscriber), subscribed=subscribed
        )
    else:
        form = SignUpForm(data, newsletters=newsletters)
    if request.method == "POST" and form.is_valid():
        source = "home page" if request.POST.get("source") == "home" else "newsletter page"
        if user.is_authenticated:
            if form.wants_something():
                services.subscriber_subscribe_account(
                    user=user, form=f"{source} (signed in)", **_choices(form)
                )
            else:
                # Everything unticked: their choices change, no consent is given.
                services.subscriber_update_preferences(
                    subscriber=subscriber, form=f"{source} (signed in)", **_choices(form)
                )
            messages.success(request, _saved_text(form))
            return redirect("newsletter:index")
        # Per address as well as per place: many machines must not flood one inbox with
        # confirmation emails.
        address = form.cleaned_data["email"].strip().lower()
        if not consume(request, action="newsletter_signup", key=address):
            # The longest limit counts a day, and whoever asked again may have missed
            # the first email rather than not had one.
            form.add_error(
                None,
                "Too many sign-ups for this address, or from your network, in a short time. "
                "If you signed up earlier, look for our confirmation email, in your junk "
                "folder too. Otherwise, please try again tomorrow.",
            )
        else:
            services.subscriber_sign_up(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                form=source,
                **_choices(form),
            )
            return redirect("newsletter:check_email")
    unsubscribe_url = None
    if subscriber is not None and subscriber.state == Subscriber.State.SUBSCRIBED:
        token = tokens.subscriber_token(subscriber, purpose=tokens.UNSUBSCRIBE)
        unsubscribe_url = reverse("newsletter:unsubscribe", args=[token])
    return render(
        request,
        "newsletter/index.html",
        {
            "form": form,
            "subscriber": subscriber,
            "objection": objection,
            "unsubscribe_url": unsubscribe_url,
            "recent_editions": _with_refusals(user, selectors.archive_editions()[:3]),
        },
        status=400 if form.errors else 200,
    )


@login_not_required
def check_email(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/check_email.html")


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners must not subscribe anyone); POST confirms."""
    try:
        subscriber = tokens.subscriber_from_token(token, purpose=tokens.CONFIRM)
    except tokens.InvalidToken:
        return _invalid_link(request)
    if request.method == "POST":
        subscriber = services.subscriber_confirm(subscriber=subscriber)
        preferences = tokens.subscriber_token(subscriber, purpose=tokens.PREFERENCES)
        messages.success(request, "Thank you: your subscription is confirmed.")
        return redirect("newsletter:preferences", token=preferences)
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


@login_not_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = tokens.subscriber_from_token(token, purpose=tokens.PREFERENCES)
    except tokens.InvalidToken:
        return _invalid_link(request)
    newsletters = selectors.newsletters_open_to(subscriber.user)
    form = ChoicesForm(
        request.POST if request.method == "POST" else None,
        newsletters=newsletters,
        initial=_initial(subscriber),
    )
    if request.method == "POST" and form.is_valid():
        services.subscriber_update_preferences(subscriber=subscriber, **_choices(form))
        messages.success(request, _saved_text(form))
        return redirect("newsletter:preferences", token=token)
    unsubscribe_token = tokens.subscriber_token(subscriber, purpose=tokens.UNSUBSCRIBE)
    return render(
        request,
        "newsletter/preferences.html",
        {
            "form": form,
            "subscriber": subscriber,
            # Said to the address's owner alone (the link came to them): why nothing is
            # sent, whatever they tick.
            "objection": suppressions.objection_for(subscriber.email)
            or (
                Suppression.Reason.COMPLAINED
                if subscriber.state == Subscriber.State.COMPLAINED
                else None
            ),
            "unsubscribe_url": reverse("newsletter:unsubscribe", args=[unsubscribe_token]),
        },
        status=400 if form.errors else 200,
    )


@login_not_required
@csrf_exempt  # RFC 8058: the mail client POSTs with the token as the only credential
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (mail scanners prefetch links). POST: unsubscribe from
    everything at once and answer 200, with no redirect."""
    try:
        subscriber = tokens.subscriber_from_token(token, purpose=tokens.UNSUBSCRIBE)
    except tokens.InvalidToken:
        return _invalid_link(request)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        subscriber = services.subscriber_unsubscribe(
            subscriber=subscriber,
            form="one-click (mail client)" if one_click else "unsubscribe page",
        )
        preferences_token = tokens.subscriber_token(subscriber, purpose=tokens.PREFERENCES)
        return render(
            request,
            "newsletter/unsubscribed.html",
            {
                "subscriber": subscriber,
                "preferences_url": reverse("newsletter:preferences", args=[preferences_token]),
            },
        )
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})


@login_not_required
def archive(request: HttpRequest) -> HttpResponse:
    editions = _with_refusals(request.user, selectors.archive_editions()[:100])
    return render(request, "newsletter/archive.html", {"editions": editions})


def _with_refusals(user, editions) -> list:
    """The editions, each with why `user` may not read it (None when they may), for
    newsletter/_edition_item.html."""
    editions = list(editions)
    refusals = access.edition_refusals(user, editions)
    for edition in editions:
        edition.refusal = refusals.get(edition.pk)
    return editions


@login_not_required
def edition(request: HttpRequest, pk: int) -> HttpResponse:
    edition = get_object_or_404(selectors.archive_editions(), pk=pk)
    refusal = access.edition_refusal(request.user, edition)
    if refusal == access.EditionRefusal.SIGN_IN:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if refusal is not None:
        restricted_to = edition.newsletter.restricted_to
        return render(
            request,
            "newsletter/edition_restricted.html",
            {
                "edition": edition,
                "refusal": refusal,
                "audience": MemberType(restricted_to).label if restricted_to else "",
            },
            status=403,
        )
    from newsletter.rendering import section_items

    sections = list(edition.sections.prefetch_related("resources", "threads__category"))
    for section in sections:
        section.items = section_items(section)
    # As in the email: a section whose every item has since been withdrawn (a resource
    # archived, a thread hidden) and that has no text would show its heading alone.
    sections = [section for section in sections if section.body_html.strip() or section.items]
    return render(request, "newsletter/edition.html", {"edition": edition, "sections": sections})


@login_not_required
@require_http_methods(["GET", "HEAD"])
def link(request: HttpRequest, edition: int, token: str) -> HttpResponse:
    """A link in an edition: count the click, then go where the editor linked. Only
    signed targets are followed, so this is no open redirect; the recipient is unknown."""
    try:
        url = tokens.link_target(edition_id=edition, token=token)
    except tokens.InvalidToken:
        return _invalid_link(request)
    if request.method == "GET":
        tracking.link_click_count(edition_id=edition, url=url)
    return HttpResponseRedirect(url)
