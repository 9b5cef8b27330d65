"""Uploaded files: images are measured from their header, before anything decodes them."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from network.files import attachment_file_check, safe_filename, uploaded_name


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels in a few dozen bytes (a 1-bit image
    of that size compresses to kilobytes; its header is all a check should read)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def png(width: int, height: int) -> bytes:
    output = io.BytesIO()
    Image.new("1", (width, height)).save(output, format="PNG")
    return output.getvalue()


def test_an_image_of_30000_by_30000_pixels_is_refused_with_the_limit():
    upload = SimpleUploadedFile("huge.png", png_header_only(30_000, 30_000))
    with pytest.raises(ValidationError) as error:
        attachment_file_check(upload)
    assert "Images may be at most 6,000 x 6,000 pixels (about 36 megapixels)" in str(error.value)


def test_an_image_over_the_pixel_limit_is_refused_and_says_its_size():
    upload = SimpleUploadedFile("wide.png", png_header_only(12_000, 12_000))
    with pytest.raises(ValidationError) as error:
        attachment_file_check(upload)
    assert "this one is 12,000 x 12,000" in str(error.value)


def test_a_long_thin_image_is_refused_by_its_longer_side():
    upload = SimpleUploadedFile("strip.png", png_header_only(60_000, 10))
    with pytest.raises(ValidationError, match="6,000 x 6,000"):
        attachment_file_check(upload)


def test_the_pixel_limit_is_a_setting(settings):
    settings.IMAGE_MAX_SIDE = 100
    with pytest.raises(ValidationError, match="at most 100 x 100 pixels"):
        attachment_file_check(SimpleUploadedFile("photo.png", png(120, 80)))
    assert attachment_file_check(SimpleUploadedFile("photo.png", png(100, 100))).extension == "png"


def test_an_image_whose_header_cannot_be_read_is_refused():
    broken = png_header_only(10, 10)[:20]
    with pytest.raises(ValidationError, match="could not be read"):
        attachment_file_check(SimpleUploadedFile("broken.png", broken))


def test_an_uploaded_name_loses_its_path_and_direction_controls():
    assert uploaded_name("C:\\Users\\sam\\report\u202efdp.exe", default="file", max_length=200) == (
        "reportfdp.exe"
    )


def test_an_uploaded_name_of_nothing_shown_takes_the_default():
    assert uploaded_name("\u202e\u202c", default="file", max_length=200) == "file"


def test_a_download_name_keeps_no_direction_controls():
    assert safe_filename("minutes\u202eftp.pdf", extension="pdf") == "minutesftp.pdf"
