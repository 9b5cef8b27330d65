"""Give every staff grant a member type before the field becomes required (0006).

An empty type used to fall back to the type people chose for themselves in their
profile, so anyone could pick the commissioners' rooms. Filling it:
- a grant to a person gets the least-privileged type, policy maker or other, so nobody
  gains a room by this migration (staff can change a grant afterwards, and the person
  can ask for a change from their account page);
- a grant to an organisation gets the organisation's own type, which already decided
  its seats' access and which only staff (or the plan bought) set.
Reversing leaves the types as filled: they were valid all along.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

POLICY = "policy"


def fill_empty_types(apps, schema_editor):
    MembershipGrant = apps.get_model("members", "MembershipGrant")
    Organisation = apps.get_model("members", "Organisation")
    empty = MembershipGrant.objects.filter(member_type="")
    empty.filter(organisation__isnull=False).update(
        member_type=Subquery(
            Organisation.objects.filter(pk=OuterRef("organisation_id")).values("org_type")[:1]
        )
    )
    # Anything still empty (a person's grant, or an organisation without a type).
    MembershipGrant.objects.filter(member_type="").update(member_type=POLICY)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_merge_billing_and_organisations"),
    ]

    operations = [
        migrations.RunPython(fill_empty_types, migrations.RunPython.noop),
    ]
