"""Event pages: the listing, an event, registering and cancelling, calendar files, slides,
certificates, and the signed links in emails.

Thin views: read input, ask events/access.py, call a service, render.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import condition, require_GET, require_POST

from events import access, certificates, feeds, ics, selectors, services, tokens
from events.forms import RegistrationForm
from events.models import (
    AUDIENCE_LABELS,
    REGION_CHOICES,
    Event,
    EventFormat,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from network.files import protected_file_response, safe_filename

logger = logging.getLogger(__name__)

EVENTS_PER_PAGE = 20


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    listing = selectors.Listing.from_query(request.GET)
    page = Paginator(listing.events(), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.left = selectors.places_left(event)
    context = {
        "listing": listing,
        "page": page,
        "events": page.object_list,
        "page_query": listing.querystring(),
        "audiences": AUDIENCE_LABELS.items(),
        "regions": REGION_CHOICES,
        "formats": EventFormat.choices,
    }
    return render(request, "events/index.html", context)


def _event_for_page(request: HttpRequest, slug: str) -> Event:
    queryset = selectors.with_places(Event.objects.select_related("resource")).prefetch_related(
        "speakers", "topics"
    )
    event = get_object_or_404(queryset, slug=slug)
    if not access.can_see_event(request.user, event):
        raise Http404("No such event.")
    return event


def _detail_context(request: HttpRequest, event: Event, form=None) -> dict:
    user = request.user
    now = timezone.now()
    registration = selectors.registration_of(user, event)
    ended = event.ends_at <= now
    gives_up_a_place = (
        registration is not None
        and registration.holds_place
        and event.status == EventStatus.PUBLISHED
        and not ended
    )
    show_recording = access.can_see_recording(user, event, now=now)
    recording_way_in = None if show_recording else access.recording_refused(user, event, now=now)
    return {
        "event": event,
        "speakers": event.speakers.all(),
        # A resource withdrawn from the library (archived, back to draft) is not named.
        "library_resource": event.resource if event.resource and event.resource.is_live else None,
        "topics": event.topics.all(),
        "places_left": selectors.places_left(event),
        "registration": registration,
        "waiting_position": selectors.waiting_position(registration) if registration else None,
        "problem": access.registration_problem(user, event, now=now),
        "eligibility": access.eligibility_text(event),
        "open_to_free_accounts": access.open_to_free_accounts(event),
        "membership_would_open": access.membership_would_open(user, event),
        "show_link": access.can_see_joining_link(user, event, registration, now=now),
        "link_opens_at": access.joining_link_opens_at(event),
        "needs_renewal": access.place_needs_renewal(user, event, registration),
        # What the Cancel button's confirmation says becomes of the place.
        "freed_place": selectors.freed_place_text(event, now=now) if gives_up_a_place else "",
        "show_recording": show_recording,
        "has_recording": bool(event.recording_url or event.slides),
        # Why a signed-in person refused the recording may not have it, and what would
        # open it (renewing, joining), as the slides' refusal page says.
        "recording_way_in": recording_way_in,
        "recording_audience": access.recording_audience(event) if recording_way_in else "",
        "certificate": registration is not None
        and access.can_download_certificate(user, registration),
        "form": form
        or RegistrationForm(initial={"needs": registration.needs} if registration else None),
        "ended": ended,
    }


@login_not_required
@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for_page(request, slug)
    return render(request, "events/detail.html", _detail_context(request, event))


def _own_registration_or_404(request: HttpRequest, event: Event) -> Registration:
    registration = selectors.registration_of(request.user, event)
    if registration is None:
        raise Http404("You are not registered for this event.")
    return registration


@require_POST
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for_page(request, slug)
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            result = services.registration_create(
                event=event, user=request.user, needs=form.cleaned_data["needs"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            registration = result.registration
            if not result.changed:
                messages.info(request, "You are already registered for this event.")
            elif registration.status == RegistrationStatus.CONFIRMED:
                messages.success(
                    request,
                    "Your place is booked. We have emailed you the details with a calendar file.",
                )
            else:
                messages.info(
                    request,
                    "The event is full, so you are on the waiting list. If a place is freed "
                    "we will email you, and you will have a set time to take it.",
                )
            return redirect(event.get_absolute_url())
    context = _detail_context(request, event, form=form)
    # Refused for who they are (not their type, not a member): forbidden, not a bad form.
    status = 400 if access.is_eligible(request.user, event) else 403
    return render(request, "events/detail.html", context, status=status)


@require_POST
def needs(request: HttpRequest, slug: str) -> HttpResponse:
    """Change one's accessibility or dietary note after registering."""
    event = _event_for_page(request, slug)
    registration = _own_registration_or_404(request, event)
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            changed = services.registration_needs_update(
                registration=registration, needs=form.cleaned_data["needs"]
            )
        except ValidationError as error:
            # The page no longer offers the note (the event is over, the place given
            # up): it says so above the state it shows now.
            messages.error(request, error.messages[0])
        else:
            if changed:
                messages.success(request, "Your note for the events team is saved.")
            else:
                messages.info(request, "Your note was already as you wrote it.")
        return redirect(event.get_absolute_url())
    context = _detail_context(request, event, form=form)
    return render(request, "events/detail.html", context, status=400)


# What the person gave up, in their words: a place, a place offered, or a wait. A place
# is followed by where it goes (selectors.freed_place_text).
CANCELLED_MESSAGES = {
    RegistrationStatus.CONFIRMED: "Your place is cancelled.",
    RegistrationStatus.OFFERED: "You turned down the place.",
    RegistrationStatus.WAITING: "You have left the waiting list.",
}


@require_POST
def cancel(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for_page(request, slug)
    registration = _own_registration_or_404(request, event)
    given_up = registration.status
    # Asked before the place is passed on: afterwards the first person waiting holds an
    # offer, and no longer counts as waiting.
    goes = selectors.freed_place_text(event) if registration.holds_place else ""
    try:
        cancelled = services.registration_cancel(registration=registration)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if cancelled:
            messages.success(request, f"{CANCELLED_MESSAGES[given_up]} {goes}".strip())
        else:
            # Sent again from another tab or the back button: say so, not nothing.
            registration.refresh_from_db(fields=["status"])
            if registration.status == RegistrationStatus.CANCELLED:
                messages.info(request, "You had already cancelled your registration.")
            else:
                messages.info(request, "You have no place or waiting-list entry to cancel.")
    return redirect(event.get_absolute_url())


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "events/invalid_link.html", status=400)


@login_not_required
def link_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (mail scanners prefetch links). POST: cancel."""
    try:
        registration = tokens.registration_from_token(token, purpose=tokens.CANCEL)
    except tokens.InvalidToken:
        return _invalid_link(request)
    context = {
        "registration": registration,
        "event": registration.event,
        "done": False,
        "freed_place": selectors.freed_place_text(registration.event),
    }
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration)
        except ValidationError as error:
            context["error"] = error.messages[0]
        else:
            context["done"] = True
        registration.refresh_from_db()
    return render(request, "events/link_cancel.html", context)


@login_not_required
def link_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the offer and one button. POST: take the place, if still in time."""
    try:
        registration = tokens.registration_from_token(token, purpose=tokens.CONFIRM_OFFER)
    except tokens.InvalidToken:
        return _invalid_link(request)
    context = {"registration": registration, "event": registration.event, "done": False}
    if request.method == "POST":
        try:
            services.offer_confirm(registration=registration)
        except ValidationError as error:
            context["error"] = error.messages[0]
        else:
            context["done"] = True
        registration.refresh_from_db()
    return render(request, "events/link_confirm.html", context)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_not_required
@require_GET
def calendar_file(request: HttpRequest, slug: str) -> HttpResponse:
    """Add to calendar: the event's .ics (the same UID as in the emails)."""
    event = _event_for_page(request, slug)
    return _ics_response(ics.event_ics(event, method=ics.PUBLISH), f"{event.slug}.ics")


@login_not_required
@require_GET
@condition(etag_func=feeds.calendar_feed_etag)
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """Every published event from a month ago on, for calendar apps to subscribe to. They
    ask again every few hours: an unchanged feed answers 304 with no body."""
    events = selectors.calendar_feed_events()
    response = HttpResponse(ics.feed_ics(events), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


@login_not_required
@require_GET
def slides(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for_page(request, slug)
    if not event.slides:
        raise Http404("This event has no slides.")
    if not access.can_see_recording(request.user, event):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        way_in = access.recording_way_in(request.user, event)
        if way_in is None:
            raise PermissionDenied  # for them, but not yet: the event has not started
        # An old link or a bookmark: say why, and what would open the slides.
        return render(
            request,
            "events/slides_refused.html",
            {
                "event": event,
                "audience": access.recording_audience(event),
                "reason": access.eligibility_text(event, refused=True),
                "way_in": way_in,
            },
            status=403,
        )
    try:
        return protected_file_response(
            request,
            event.slides,
            filename=safe_filename(
                event.slides_filename or "slides", extension=event.slides_extension or "pdf"
            ),
            content_type=event.slides_content_type or "application/octet-stream",
        )
    except FileNotFoundError:
        logger.error(
            "event slides missing from storage event=%s path=%s", event.pk, event.slides.name
        )
        raise Http404("The slides are not available.") from None


@require_GET
def certificate(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for_page(request, slug)
    registration = selectors.registration_of(request.user, event)
    if registration is None or not access.can_download_certificate(request.user, registration):
        raise PermissionDenied
    response = HttpResponse(certificates.certificate_pdf(registration), "application/pdf")
    filename = certificates.certificate_filename(registration)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
