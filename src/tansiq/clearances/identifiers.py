"""Vehicle and cargo identifiers: normalisation and check digits (pure)."""

from __future__ import annotations

import re

_VIN_ALPHABET = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_CONTAINER = re.compile(r"^[A-Z]{3}[UJZ][0-9]{7}$")
_HS_CODE = re.compile(r"^[0-9]{6}$")
_UN_NUMBER = re.compile(r"^(?:UN)?([0-9]{4})$")


def normalise_plate(plate: str) -> str | None:
    """Upper-case, without spaces or dashes; Arabic letters and digits are kept as they are.
    ``None`` unless 2 to 15 letters and digits remain."""
    cleaned = re.sub(r"[\s\-_.·]", "", plate).upper()
    if not 2 <= len(cleaned) <= 15 or not all(ch.isalnum() for ch in cleaned):
        return None
    return cleaned


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[ch] * weight for ch, weight in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalise_vin(vin: str) -> str | None:
    """A valid VIN (ISO 3779) or ``None``. The check digit in position 9 is enforced for
    North American manufacturers (first character 1-5), where it is mandatory; elsewhere
    position 9 may be anything the maker chose."""
    vin = re.sub(r"\s", "", vin).upper()
    if not _VIN_ALPHABET.fullmatch(vin):
        return None
    if vin[0] in "12345" and vin[8] != vin_check_digit(vin):
        return None
    return vin


def container_check_digit(owner_serial: str) -> int:
    """ISO 6346 check digit of the first ten characters of a container number."""
    values = []
    for ch in owner_serial:
        if ch.isdigit():
            values.append(int(ch))
        else:
            value = 10 + ord(ch) - ord("A")
            value += (value - 1) // 10  # skip multiples of 11: A=10, B=12, ..., K=21 ...
            values.append(value)
    total = sum(value << position for position, value in enumerate(values))
    return total % 11 % 10


def normalise_container(number: str) -> str | None:
    """A valid ISO 6346 container number (e.g. CSQU3054383) or ``None``."""
    number = re.sub(r"[\s\-]", "", number).upper()
    if not _CONTAINER.fullmatch(number):
        return None
    if container_check_digit(number[:10]) != int(number[10]):
        return None
    return number


def normalise_hs_code(code: str) -> str | None:
    """Six digits of the Harmonized System (``8703.23`` is accepted as ``870323``)."""
    digits = re.sub(r"[\s.]", "", code)
    return digits if _HS_CODE.fullmatch(digits) else None


def normalise_un_number(number: str) -> str | None:
    """A UN dangerous-goods number as ``UN1203`` (``1203`` and ``un 1203`` accepted)."""
    match = _UN_NUMBER.fullmatch(re.sub(r"\s", "", number).upper())
    if match is None or not 1 <= int(match.group(1)) <= 3600:
        return None
    return f"UN{match.group(1)}"
