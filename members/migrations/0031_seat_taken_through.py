"""Record how each seat was taken, so that a seat claimed by email domain can end when
the person's address leaves that domain.

Existing seats are filled in from what the database can prove, and never as claimed by
domain: that is the one way whose seats later end by themselves, and a seat taken by
domain closes the person's own open invitations as accepted, so it cannot be told apart
from one taken by accepting an invitation. The rule, first match wins:
- an admin seat taken within a minute of its organisation's creation, and the
  organisation's first seat: the person who took out the membership ("creator");
- a seat whose holder accepted an invitation to the organisation: "invitation" (a seat
  claimed by domain that closed an invitation reads so too, and is kept as such);
- anything else: "unrecorded" (staff in the admin, a claim by domain, the demo data).
New seats default to "given" (staff adding a seat in the admin); every other way sets it.
"""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import Exists, Min, OuterRef


def backfill(apps, schema_editor):
    Seat = apps.get_model("members", "Seat")
    Invitation = apps.get_model("members", "Invitation")
    accepted = Invitation.objects.filter(
        organisation_id=OuterRef("organisation_id"), accepted_by_id=OuterRef("user_id")
    )
    Seat.objects.filter(Exists(accepted)).update(taken_through="invitation")
    first_seats = Seat.objects.values("organisation_id").annotate(first=Min("pk"))
    first_ids = [row["first"] for row in first_seats]
    for seat in Seat.objects.filter(pk__in=first_ids, is_admin=True).select_related("organisation"):
        if seat.created_at - seat.organisation.created_at <= timedelta(minutes=1):
            Seat.objects.filter(pk=seat.pk).update(taken_through="creator")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0030_organisation_details_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="seat",
            name="claim_emailed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the organisation's admins were emailed that the seat was claimed by domain (once).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="seat",
            name="claimed_domain",
            field=models.CharField(
                blank=True,
                help_text="The verified domain the seat was claimed with (only for seats claimed by domain): it may have changed or been cleared since.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="seat",
            name="left_domain_emailed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the admins were emailed that this admin's address moved off the domain the seat was claimed with, the seat being kept (once).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="seatremoval",
            name="admins_emailed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the organisation's admins were emailed that the seat ended because the person's address left the domain (once; admins are not told of other removals).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="seatremoval",
            name="left_domain",
            field=models.CharField(
                blank=True,
                help_text="Not taken back by anyone: the seat was claimed with an address at this domain, and the person's address moved off it.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="seat",
            name="taken_through",
            field=models.CharField(
                choices=[
                    ("domain", "Claimed with a verified address at the organisation's domain"),
                    ("invitation", "An invitation from an admin"),
                    ("given", "Given by the network's staff"),
                    ("creator", "Took out the organisation's membership"),
                    ("unrecorded", "Not recorded (taken before this was recorded)"),
                ],
                default="unrecorded",
                help_text="How the person came by the seat. One claimed by domain ends when their address moves off that domain, unless they are an admin.",
                max_length=20,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="seat",
            name="taken_through",
            field=models.CharField(
                choices=[
                    ("domain", "Claimed with a verified address at the organisation's domain"),
                    ("invitation", "An invitation from an admin"),
                    ("given", "Given by the network's staff"),
                    ("creator", "Took out the organisation's membership"),
                    ("unrecorded", "Not recorded (taken before this was recorded)"),
                ],
                default="given",
                help_text="How the person came by the seat. One claimed by domain ends when their address moves off that domain, unless they are an admin.",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="seat",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("taken_through", "domain"), models.Q(("claimed_domain", ""), _negated=True)
                    ),
                    models.Q(
                        models.Q(("taken_through", "domain"), _negated=True), ("claimed_domain", "")
                    ),
                    _connector="OR",
                ),
                name="seat_claimed_domain_only_by_domain",
            ),
        ),
    ]
