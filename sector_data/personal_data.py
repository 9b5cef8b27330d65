"""Sector data holds no one's personal data beyond which staff member uploaded a dataset
version. See network/data_rights.py."""

from network.data_rights import ErasureChoices, ExportArchive, iterate
from sector_data.models import DatasetVersion


def export(user, archive: ExportArchive) -> None:
    archive.add_part(
        "dataset_uploads",
        "Dataset versions you uploaded",
        [
            ("dataset__title", "Dataset"),
            ("number", "Version"),
            ("original_filename", "File name"),
            ("uploaded_at", "Uploaded"),
            ("note", "Note"),
        ],
        iterate(
            DatasetVersion.objects.filter(uploaded_by=user)
            .order_by("pk")
            .values("dataset__title", "number", "original_filename", "uploaded_at", "note")
        ),
        about="Versions of the sector datasets you uploaded as staff.",
    )


def erase(user, choices: ErasureChoices) -> None:
    DatasetVersion.objects.filter(uploaded_by=user).update(uploaded_by=None)
