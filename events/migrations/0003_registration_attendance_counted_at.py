from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce


def attended_rows_were_counted(apps, schema_editor):
    # Until now attendance was counted whenever a registration went from not attended to
    # attended: every row marked attended has been counted at least once already.
    Registration = apps.get_model("events", "Registration")
    Registration.objects.filter(attended=True).update(
        attendance_counted_at=Coalesce(F("attendance_marked_at"), F("updated_at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_event_description_renderer_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="attendance_counted_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the attendance was first counted for the insight reports: "
                "once per registration, however often it is unticked and ticked again.",
                null=True,
            ),
        ),
        migrations.RunPython(attended_rows_were_counted, migrations.RunPython.noop),
    ]
