"""Sector data holds no one's personal data beyond which staff member uploaded a dataset
version. See network/data_rights.py."""

from network.data_rights import ErasureChoices, ExportArchive, iterate
from sector_data.models import DatasetVersion


def export(user, archive: ExportArchive) -> None:
    archive.add_part(
        "dataset_uploads",
        "Dataset versions you uploaded",
        ["dataset__title", "number", "original_filename", "uploaded_at", "note"],
        iterate(
            DatasetVersion.objects.filter(uploaded_by=user)
            .order_by("pk")
            .values("dataset__title", "number", "original_filename", "uploaded_at", "note")
        ),
    )


def erase(user, choices: ErasureChoices) -> None:
    DatasetVersion.objects.filter(uploaded_by=user).update(uploaded_by=None)
