import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsletter', '0006_linkclick'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='consent',
            name='added_by',
            field=models.ForeignKey(blank=True, help_text='The member of staff who added the person by hand, at their request.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='consent',
            name='action',
            field=models.CharField(choices=[('signed-up', 'Signed up (awaiting confirmation)'), ('added', 'Added by staff at their request (awaiting confirmation)'), ('confirmed', 'Confirmed by email link'), ('account', 'Subscribed from their account'), ('preferences', 'Changed preferences'), ('withdrawn', 'Unsubscribed')], max_length=20),
        ),
    ]
