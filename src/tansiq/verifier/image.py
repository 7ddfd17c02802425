"""Reading a permit's QR code from a photo or a scan (zxing-cpp, images opened with Pillow)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Final

import zxingcpp
from PIL import Image

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_

# A phone photo is ~12 megapixels; anything far larger is not a picture of a permit.
MAX_PIXELS: Final = 50_000_000


class ImageUnreadable(TansiqError):
    code = "verifier.image_unreadable"
    message = N_("The file cannot be read as an image.")


class NoQrCodeFound(TansiqError):
    code = "verifier.no_qr_code"
    message = N_("No QR code was found in the image.")


def read_qr_text(path: Path) -> str:
    """The text of the first QR code in the image at ``path``."""
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, on huge images; we refuse ourselves, with a coded error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ImageUnreadable
                image.load()
                found = zxingcpp.read_barcode(
                    image.convert("L"), formats=zxingcpp.BarcodeFormats(zxingcpp.QRCode)
                )
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ImageUnreadable from None
    if found is None or not found.valid or not found.text:
        raise NoQrCodeFound
    return found.text
