"""Files chosen for a post that is not written yet."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from forum.models.posts import attachment_upload_to, get_protected_storage


class DraftAttachment(models.Model):
    """A file a member chose for a new thread or reply that came back to them (a preview,
    a refusal such as a missing title): kept, so that they need not choose it again, and
    attached when the post is written. It belongs to its uploader alone: nobody else sees
    it or can attach it. One never attached is deleted after a day
    (forum/personal_data.py RETENTION)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(
        upload_to=attachment_upload_to, storage=get_protected_storage, max_length=200
    )
    original_filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    extension = models.CharField(max_length=10)
    size_bytes = models.PositiveBigIntegerField(default=0)
    is_image = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_filename
