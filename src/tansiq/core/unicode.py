"""Text that every database and response can hold."""

from __future__ import annotations


def clean_unicode(value: str) -> str:
    """Join escaped surrogate pairs and replace lone surrogates with U+FFFD: JSON may carry
    them, UTF-8 (and so every database and every response) cannot."""
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
