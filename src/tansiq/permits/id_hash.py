"""The driver's ID number as a permit carries it: normalised, then a salted scrypt hash."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Final

SALT_LENGTH: Final = 16
_DASHES: Final = frozenset("\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe63\uff0d-")


def normalise_id_number(value: str) -> str:
    """An ID number as hashed: digits of any script as ASCII, no spaces or dashes, upper case."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", value):
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            out.append(str(digit))
        elif not (char.isspace() or char in _DASHES or unicodedata.category(char) == "Pd"):
            out.append(char.upper())
    return "".join(out)


# scrypt, not a plain hash: ID numbers have little entropy, and salt and hash travel together
# in every QR code. At these costs one guess takes tens of milliseconds and 16 MiB, so trying
# every 10-digit number is out of reach, while one check at a checkpoint stays instant.
ID_HASH_COST: Final = {"n": 2**14, "r": 8, "p": 1, "dklen": 32, "maxmem": 64 * 1024 * 1024}


def hash_id_number(id_number: str, salt: bytes) -> bytes:
    """scrypt(normalised ID number, salt): what the token carries instead of the number."""
    return hashlib.scrypt(normalise_id_number(id_number).encode(), salt=salt, **ID_HASH_COST)
