"""Dataset versions in S3-compatible object storage (moto's S3 here): each upload is kept
as uploaded, in the private bucket, beside the figures it loaded."""

import pytest

from tests.sector_data.factories import mapped_dataset, upload
from tests.sector_data.test_services import HEADER

pytestmark = pytest.mark.django_db


def test_each_uploaded_version_is_kept_in_the_bucket_as_uploaded(object_storage):
    dataset = mapped_dataset()
    first = upload(dataset, [HEADER, ["2022", "London", "", "5", "20"]])
    second = upload(dataset, [HEADER, ["2023", "London", "", "6", "24"]])

    assert object_storage.keys() == sorted(
        [f"protected/{first.file.name}", f"protected/{second.file.name}"]
    )
    with second.file.open("rb") as stored:
        assert b"2023,London" in stored.read()
