"""The readers' filter (GET, so a filtered page is a shareable address) and the upload."""

from itertools import groupby

from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from members.models import Region
from network.forms import SpecificMessages
from network.widgets import FileInputAskingAgain
from sector_data.models import Council
from sector_data.selectors.places import Place


def council_groups(councils: list[Council]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Councils by region (in the order given), as the council list's option groups."""
    labels = dict(Region.choices)
    grouped = groupby(councils, key=lambda council: council.region)
    return [(labels[region], [(c.slug, c.name) for c in members]) for region, members in grouped]


def council_options(councils: list[Council], selected: str = "") -> SafeString:
    """The council list's option groups as HTML, the chosen council selected.

    Built here rather than in the template: a template loop over 150 councils, comparing
    each with the chosen one, was a third of a data page's time."""
    return format_html_join(
        "",
        '<optgroup label="{}">{}</optgroup>',
        (
            (
                label,
                format_html_join(
                    "",
                    '<option value="{}"{}>{}</option>',
                    (
                        (slug, mark_safe(" selected") if slug == selected else "", name)
                        for slug, name in options
                    ),
                ),
            )
            for label, options in council_groups(councils)
        ),
    )


class PlaceForm(SpecificMessages, forms.Form):
    """Checks the filter; the page draws the two lists itself (templates/sector_data/
    page.html): Django's widgets take milliseconds over 150 councils."""

    region = forms.ChoiceField(
        label="Region", required=False, choices=[("", "England (all regions)"), *Region.choices]
    )
    council = forms.ChoiceField(label="Council", required=False)

    def __init__(self, *args, councils: list[Council], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.councils = {council.slug: council for council in councils}
        labels = dict(Region.choices)
        grouped = groupby(councils, key=lambda council: council.region)
        self.fields["council"].choices = [("", "No council")] + [
            (labels[region], [(c.slug, c.name) for c in members]) for region, members in grouped
        ]

    def place(self) -> Place:
        """The place asked for; a council brings its own region (whatever region says)."""
        if not self.is_valid():
            return Place()
        council = self.councils.get(self.cleaned_data["council"])
        if council is not None:
            return Place(region=council.region, council=council)
        return Place(region=self.cleaned_data["region"])


class VersionUploadForm(SpecificMessages, forms.Form):
    file = forms.FileField(
        label="Data file",
        widget=FileInputAskingAgain,
        help_text="CSV (UTF-8) or Excel (.xlsx, first sheet). The first line holds the "
        "column headings.",
    )
    note = forms.CharField(
        label="What changed", max_length=255, required=False, help_text="Optional."
    )
