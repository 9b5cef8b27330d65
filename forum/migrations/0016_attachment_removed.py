from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0015_report_once_per_queue_item"),
    ]

    operations = [
        migrations.AlterField(
            model_name="moderationaction",
            name="action",
            field=models.CharField(
                choices=[
                    ("approve", "Approved a held post"),
                    ("reject", "Rejected a held post"),
                    ("hide", "Hid a post"),
                    ("auto_hide", "Post hidden automatically after reports"),
                    ("restore", "Restored a post"),
                    ("edit", "Edited a post"),
                    ("redact", "Redacted a post"),
                    ("lock", "Locked a thread"),
                    ("unlock", "Unlocked a thread"),
                    ("pin", "Pinned a thread"),
                    ("unpin", "Unpinned a thread"),
                    ("move", "Moved a thread"),
                    ("merge", "Merged a thread"),
                    ("hide_thread", "Hid a thread"),
                    ("restore_thread", "Restored a thread"),
                    ("suspend", "Suspended a member"),
                    ("unsuspend", "Lifted a suspension"),
                    ("approve_image", "Approved an image"),
                    ("reject_image", "Rejected an image"),
                    ("remove_file", "Removed an attached file"),
                    ("resolve", "Resolved a queue item"),
                    ("block", "Blocked a post by the watch list"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="postattachment",
            name="approval",
            field=models.CharField(
                choices=[
                    ("approved", "Approved"),
                    ("pending", "Waiting for a moderator"),
                    ("rejected", "Rejected"),
                    ("removed", "Removed by the moderators"),
                ],
                default="approved",
                max_length=10,
            ),
        ),
    ]
