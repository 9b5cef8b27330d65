"""Inlines that read their rows' related objects once, however many rows they show.

An organisation's page lists every seat, invitation and seat taken back: hundreds of
rows for a county council. Out of the box each row costs queries of its own: a
read-only person column loads its person, and an autocomplete box asks the database for
the one option it shows, a query per box. At 300 seats the page made over a thousand
queries and took seconds. Here the inline's rows are read with their related objects
(`select_related`), and an autocomplete box of a saved row shows the object its row
already holds.

An inline of a record that grows for years (the seats an organisation's admins took
back) shows its first rows only, with a link to the list of every one (FirstRowsInline).
"""

from django.contrib.admin.widgets import AutocompleteSelect
from django.http import HttpRequest


class AutocompleteSelectOfRow(AutocompleteSelect):
    """An autocomplete box that, given the object its row holds (`known`), shows it
    without asking the database; anything else (a value typed back after an error, a
    new row) is looked up as Django does."""

    known = None

    def optgroups(self, name, value, attr=None):
        known = self.known
        chosen = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if known is None or chosen != [str(known.pk)]:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(known)
        options.append(self.create_option(name, known.pk, label, set(chosen), len(options)))
        return [(None, options, 0)]


class RelatedReadOnce:
    """Mix into an InlineModelAdmin before its base. `related_read_once` names the
    foreign keys its rows show, read-only or as autocomplete boxes."""

    related_read_once: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related(*self.related_read_once)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = AutocompleteSelectOfRow(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        names = self.related_read_once

        class RowForm(formset.form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for name in names:
                    field = self.fields.get(name)
                    if field is None or not self.instance._meta.get_field(name).is_cached(
                        self.instance
                    ):
                        continue
                    widget = getattr(field.widget, "widget", field.widget)
                    if isinstance(widget, AutocompleteSelectOfRow):
                        widget.known = getattr(self.instance, name)

        formset.form = RowForm
        return formset


class FirstRowsInline:
    """Mix into a read-only InlineModelAdmin before its base: it shows the first
    `rows_shown` rows in its queryset's order, and under them how many there are in all
    with a link to the list of every one (`every_row_link`), so the page stays the same
    size however many rows the years bring."""

    rows_shown = 20
    template = "admin/edit_inline/tabular_first_rows.html"

    def every_row_link(self, obj, *, shown: int, total: int) -> str:
        """The line under the rows (HTML): how many are shown, and where the rest are."""
        raise NotImplementedError

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        rows_shown = self.rows_shown
        every_row_link = self.every_row_link

        class FirstRows(formset):
            def get_queryset(self):
                if not hasattr(self, "_queryset"):
                    rows = super().get_queryset()
                    self.rows_total = rows.count()
                    self._queryset = rows[:rows_shown]
                return self._queryset

            def every_row(self) -> str:
                if obj is None or obj.pk is None:
                    return ""
                shown = len(self.get_queryset())
                return every_row_link(obj, shown=shown, total=self.rows_total)

        return FirstRows
