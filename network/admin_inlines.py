"""Inlines whose inputs say what they are.

A tabular inline names each field once, in its column's heading; its inputs have no
label of their own, so a screen reader announces an unnamed text box in every cell
(axe: "Form elements must have labels"). Here each input is named after its column,
and each row's delete box says so.
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
