"""The period and comparison pickers: which days a page counts, and which it compares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

PERIODS = {
    "30d": ("Last 30 days", 30),
    "quarter": ("Last quarter (91 days)", 91),
    "year": ("Last year (365 days)", 365),
}
COMPARISONS = {"previous": "The period before", "none": "No comparison"}


@dataclass(frozen=True)
class Period:
    """Days `first` to `last`, both counted; today is the last day of every period."""

    key: str
    label: str
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    def previous(self) -> Period:
        last = self.first - timedelta(days=1)
        return Period(
            key=self.key,
            label=f"The {self.days} days before",
            first=last - timedelta(days=self.days - 1),
            last=last,
        )

    def describe(self) -> str:
        return f"{self.first:%-d %b %Y} to {self.last:%-d %b %Y}"


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label="Period", choices=[(key, label) for key, (label, _) in PERIODS.items()]
    )
    compare = forms.ChoiceField(label="Compare with", choices=list(COMPARISONS.items()))


def period_from(data, *, today: date | None = None) -> tuple[PeriodForm, Period, Period | None]:
    """The form bound to the query string (defaults where absent or wrong), the period,
    and the period to compare with (or None)."""
    values = {"period": "30d", "compare": "previous"}
    form = PeriodForm({**values, **{key: data[key] for key in values if key in data}})
    if not form.is_valid():
        form = PeriodForm(values)
        form.is_valid()
    key = form.cleaned_data["period"]
    label, days = PERIODS[key]
    last = today or timezone.localdate()
    period = Period(key=key, label=label, first=last - timedelta(days=days - 1), last=last)
    compared = period.previous() if form.cleaned_data["compare"] == "previous" else None
    return form, period, compared
