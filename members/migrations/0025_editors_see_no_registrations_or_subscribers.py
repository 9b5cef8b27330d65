"""Take from an existing Editors group every permission on event registrations and
newsletter subscribers, and on the records naming them.

Editors curate content. Registrations hold people's access and dietary needs (which can
tell of someone's health) for the staff who organise events, and subscribers' addresses
are the newsletter's list; editors now see an event's numbers on the event itself
(members/staff_groups.py says what the group holds). The models are named here rather
than imported, so this migration does the same whatever that module says later.

On a new database there is no group yet (and no permissions: Django makes them after
migrating), so there is nothing to do. Reversing gives nothing back: which of these
permissions a group had before is not known.
"""

from django.db import migrations
from django.db.models import Q

EDITORS_GROUP = "Editors"
LEFT_OUT = {
    "events": ["registration", "notice"],
    "newsletter": ["subscriber", "consent", "delivery", "digestdelivery"],
}


def editors_lose_personal_data(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITORS_GROUP).first()
    if group is None:
        return
    models = Q()
    for app_label, names in LEFT_OUT.items():
        models |= Q(content_type__app_label=app_label, content_type__model__in=names)
    group.permissions.remove(*Permission.objects.filter(models))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0024_datarequest_erasure_notified_at"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(editors_lose_personal_data, migrations.RunPython.noop),
    ]
