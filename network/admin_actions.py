"""Admin actions that cannot be undone ask first.

Django's admin runs an action the moment its "Go" button is pressed, with whatever rows
were ticked; only its own "delete selected" shows what it will do and asks. An action
that erases a person, cancels an event and emails everyone booked, or tells Stripe an
invoice is paid cannot be taken back, so it asks the same way: the first press shows the
rows it would change and what will happen to them, and the action runs from that page's
button only. Going back from that page changes nothing.

    @admin.action(description="Erase the person now (no grace period)")
    @asks_first("Each person below is erased now: ...")
    def run_erasure(self, request, queryset): ...
"""

import functools
from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

# Rows named on the confirmation page; beyond these it says how many more.
ROWS_NAMED = 100

CONFIRMED = "confirmed"


def asks_first(consequence: str) -> Callable:
    """Make an admin action show the selected rows and `consequence` (what will happen
    to them, in plain words) and run only once that page's button is pressed."""

    def decorate(action: Callable) -> Callable:
        @functools.wraps(action)
        def asking(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
            if request.POST.get(CONFIRMED) == "yes":
                return action(model_admin, request, queryset)
            return _confirmation(model_admin, request, queryset, asking, consequence)

        return asking

    return decorate


def _confirmation(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    action: Callable,
    consequence: str,
) -> HttpResponse:
    opts = model_admin.model._meta
    ids = list(queryset.values_list("pk", flat=True))
    named = list(queryset.filter(pk__in=ids[:ROWS_NAMED]))
    description = getattr(action, "short_description", action.__name__.replace("_", " "))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{description}: are you sure?",
        "subtitle": None,
        "opts": opts,
        "description": description,
        "consequence": consequence,
        "named": named,
        "more": len(ids) - len(named),
        "count": len(ids),
        "ids": ids,
        "action_name": request.POST.get("action", action.__name__),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "confirmed_name": CONFIRMED,
        "objects_name": opts.verbose_name if len(ids) == 1 else opts.verbose_name_plural,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/action_confirmation.html", context)
