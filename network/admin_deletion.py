"""A delete confirmation that reads each related row with what its name reads.

Django's confirmation page lists every row a deletion takes with it (or that stops it),
each by its name (`__str__`). It reads each kind of row in one query, but a name that
follows a foreign key (a seat is "Ruth Adeyemi at Northmoor Council", a subscription
names its holder and its plan) then costs a query per row: an organisation with 300
seats asked over 300 queries before staff could say yes. Here each kind of row is read
with the objects its foreign keys point to, one join each, so the page asks the same
number of queries however many rows it lists.

`deleted_objects` is Django's own `django.contrib.admin.utils.get_deleted_objects`
(Django 5.2), with that one change to the collector it uses.
"""

from django.contrib.admin.utils import NestedObjects, quote
from django.db import router
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst


class NamedRowsCollector(NestedObjects):
    def related_objects(self, related_model, related_fields, objs):
        queryset = super().related_objects(related_model, related_fields, objs)
        # One level: the rows' own foreign keys, which is what their names read.
        forward = [
            field.name
            for field in related_model._meta.concrete_fields
            if field.is_relation and (field.many_to_one or field.one_to_one)
        ]
        return queryset.select_related(*forward)


def deleted_objects(objs, request, admin_site):
    """As Django's get_deleted_objects: what deleting `objs` takes with it, in a nested
    list of names (with links to their admin pages), a count by kind, the kinds the user
    may not delete, and the rows that stop the deletion."""
    try:
        obj = objs[0]
    except IndexError:
        return [], {}, set(), []
    using = router.db_for_write(obj._meta.model)
    collector = NamedRowsCollector(using=using, origin=objs)
    collector.collect(objs)
    perms_needed = set()

    def format_callback(obj):
        opts = obj._meta
        no_edit_link = f"{capfirst(opts.verbose_name)}: {obj}"
        if not admin_site.is_registered(obj.__class__):
            return no_edit_link
        if not admin_site.get_model_admin(obj.__class__).has_delete_permission(request, obj):
            perms_needed.add(opts.verbose_name)
        try:
            admin_url = reverse(
                f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                None,
                (quote(obj.pk),),
            )
        except NoReverseMatch:
            return no_edit_link
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), admin_url, obj)

    to_delete = collector.nested(format_callback)
    protected = [format_callback(obj) for obj in collector.protected]
    model_count = {
        model._meta.verbose_name_plural: len(objs) for model, objs in collector.model_objs.items()
    }
    return to_delete, model_count, perms_needed, protected


class NamesRelatedRowsInFewQueries:
    """Mix into a ModelAdmin whose objects take many rows with them when deleted."""

    def get_deleted_objects(self, objs, request):
        return deleted_objects(objs, request, self.admin_site)
