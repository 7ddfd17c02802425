"""Base45 (RFC 9285): the QR alphanumeric text a permit token travels as."""

from __future__ import annotations

import struct
from typing import Final

from tansiq.permits.token_errors import Base45Invalid

BASE45_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUES: Final = bytes(
    BASE45_ALPHABET.index(chr(c)) if chr(c) in BASE45_ALPHABET else 0xFF for c in range(256)
)


def b45encode(data: bytes) -> str:
    """Base45-encode ``data``: every 2 bytes become 3 characters, a last odd byte 2."""
    out: list[str] = []
    alphabet = BASE45_ALPHABET
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (alphabet[c], alphabet[d], alphabet[e])
    if len(data) % 2:
        e, c = divmod(data[-1], 45)
        out += (alphabet[c], alphabet[e])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Decode Base45 ``text``; anything outside RFC 9285 raises :class:`Base45Invalid`."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise Base45Invalid(problem="non-ASCII character") from None
    values = raw.translate(_B45_VALUES)
    if b"\xff" in values:
        raise Base45Invalid(problem="character outside the Base45 alphabet")
    full, rest = divmod(len(values), 3)
    if rest == 1:
        raise Base45Invalid(problem="dangling character")
    numbers = [
        c + 45 * d + 2025 * e
        for c, d, e in zip(values[0::3], values[1::3], values[2::3], strict=False)
    ][:full]
    if numbers and max(numbers) > 0xFFFF:
        raise Base45Invalid(problem="triplet out of range")
    out = struct.pack(f">{full}H", *numbers)
    if rest == 2:
        last = values[-2] + 45 * values[-1]
        if last > 0xFF:
            raise Base45Invalid(problem="final pair out of range")
        out += bytes((last,))
    return out
