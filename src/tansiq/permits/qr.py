"""The permit token as a QR code: alphanumeric mode, error correction Q (segno).

``TQ1:`` and the Base45 alphabet are exactly QR's alphanumeric set (11 bits per 2 characters),
so the token is encoded as it is, with no byte-mode overhead. Q survives ~25% damage: a creased
or smudged paper permit still scans.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno


@dataclass(frozen=True)
class PermitQr:
    version: int
    modules: int  # symbol width and height in modules, without the quiet zone
    png: bytes
    svg: str


def make_qr(text: str, *, scale: int = 4, border: int = 4) -> PermitQr:
    """The QR code for token ``text`` as PNG bytes and SVG text."""
    code = segno.make_qr(text, error="q", mode="alphanumeric", boost_error=False)
    png = io.BytesIO()
    code.save(png, kind="png", scale=scale, border=border)
    svg = io.BytesIO()
    code.save(svg, kind="svg", scale=scale, border=border, xmldecl=False)
    return PermitQr(
        version=int(code.version),  # make_qr never makes a Micro QR code ("M1".."M4")
        modules=len(code.matrix),
        png=png.getvalue(),
        svg=svg.getvalue().decode("utf-8"),
    )
