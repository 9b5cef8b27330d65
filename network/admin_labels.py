"""Admin tables whose inputs say what they are.

A tabular inline, and a change list with editable columns, name each field once, in
its column's heading; their inputs have no label of their own, so a screen reader
announces an unnamed box in every cell (axe: "Form elements must have labels"). Here
each input is named after its column (and, in a change list, its row), and each
inline row's delete box says so.
"""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst


class LabelledInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs.setdefault("aria-label", "Delete this row")


class LabelledTabularInline(admin.TabularInline):
    formset = LabelledInlineFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs.setdefault("aria-label", capfirst(db_field.verbose_name))
        return formfield


class LabelledListEditable:
    """For a ModelAdmin with list_editable: each editable cell is named "<column>: <row>"
    ("Order: Workforce and training")."""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledRowForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for name, field in self.fields.items():
                    column = capfirst(self._meta.model._meta.get_field(name).verbose_name)
                    field.widget.attrs["aria-label"] = f"{column}: {self.instance}"

        return LabelledRowForm
