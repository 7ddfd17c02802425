"""Base45 (RFC 9285): the RFC's examples, round trips and every way input can be invalid."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tansiq.permits.base45 import BASE45_ALPHABET, b45decode, b45encode
from tansiq.permits.token_errors import Base45Invalid


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"", ""),
        (b"AB", "BB8"),  # RFC 9285 §4.3
        (b"Hello!!", "%69 VD92EX0"),  # RFC 9285 §4.3
        (b"base-45", "UJCLQE7W581"),  # RFC 9285 §4.3
        (b"ietf!", "QED8WEX0"),  # RFC 9285 §4.4
        (b"\x00", "00"),
        (b"\xff", "U5"),
        (b"\xff\xff", "FGW"),
        (b"\x00\x00", "000"),
    ],
)
def test_rfc_examples_and_edges(raw: bytes, text: str) -> None:
    assert b45encode(raw) == text
    assert b45decode(text) == raw


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("GGW", "triplet 65536 is above 0xFFFF"),
        (":::", "largest triplet"),
        ("V5", "pair 256 is above 0xFF"),
        ("::", "largest pair"),
        ("A", "one dangling character"),
        ("BB8A", "dangling character after a triplet"),
        ("bb8", "lower case is not in the alphabet"),
        ("BB8\n", "newline"),
        ("ÄB8", "non-ASCII"),
        ("BB_", "underscore"),
        ("٣BB", "Arabic-Indic digit"),
    ],
)
def test_invalid_input_is_a_coded_error(text: str, why: str) -> None:
    with pytest.raises(Base45Invalid) as raised:
        b45decode(text)
    assert raised.value.code == "permit.base45_invalid", why


@given(st.binary(max_size=300))
def test_round_trip(raw: bytes) -> None:
    text = b45encode(raw)
    assert set(text) <= set(BASE45_ALPHABET)
    assert len(text) == len(raw) // 2 * 3 + len(raw) % 2 * 2
    assert b45decode(text) == raw


@given(st.text(alphabet=BASE45_ALPHABET + "abc\x00é", max_size=40))
def test_decoding_any_text_is_bytes_or_a_coded_error(text: str) -> None:
    try:
        raw = b45decode(text)
    except Base45Invalid:
        return
    assert b45encode(raw) == text
