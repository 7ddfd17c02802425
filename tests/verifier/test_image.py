"""Reading the QR from an image: a clean render, a skewed photo, and files that are not one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageFilter

from tansiq.permits.qr import make_qr
from tansiq.permits.token import sign_permit
from tansiq.verifier.image import ImageUnreadable, NoQrCodeFound, read_qr_text
from tests.permits.builders import AUTHORITY_SIGNERS, claims

TOKEN = sign_permit(claims(), AUTHORITY_SIGNERS)


def test_a_rotated_blurred_photo_still_reads(tmp_path: Path) -> None:
    image = Image.open(io.BytesIO(make_qr(TOKEN, scale=6).png)).convert("L")
    photo = image.rotate(12, expand=True, fillcolor=255).filter(ImageFilter.GaussianBlur(1))
    path = tmp_path / "photo.jpg"
    photo.save(path, quality=70)
    assert read_qr_text(path) == TOKEN


def test_an_image_without_a_qr_code_is_a_coded_error(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(path)
    with pytest.raises(NoQrCodeFound) as raised:
        read_qr_text(path)
    assert raised.value.code == "verifier.no_qr_code"


@pytest.mark.parametrize("content", [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40])
def test_a_file_that_is_not_an_image_is_a_coded_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "permit.png"
    path.write_bytes(content)
    with pytest.raises(ImageUnreadable):
        read_qr_text(path)


def test_a_missing_file_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(ImageUnreadable):
        read_qr_text(tmp_path / "nowhere.png")


def test_a_huge_image_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    Image.new("1", (7100, 7100), 1).save(path)  # 50.4 megapixels, a few KiB on disk
    with pytest.raises(ImageUnreadable):
        read_qr_text(path)
