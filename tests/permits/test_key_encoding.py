"""One encoding for keys: shown in base64, accepted in base64 or hex wherever a key is given."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from tansiq.permits.keys import ALG_EDDSA, decode_key, encode_key
from tests.conftest import Tokens

ED25519 = bytes(range(32))
POINT = (
    ec.derive_private_key(20_260_601, ec.SECP256R1())
    .public_key()
    .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
)


@pytest.mark.parametrize(
    ("given_as", "raw"),
    [
        (base64.b64encode(ED25519).decode(), ED25519),
        (base64.b64encode(ED25519).decode().rstrip("="), ED25519),
        (base64.urlsafe_b64encode(ED25519).decode(), ED25519),
        (ED25519.hex(), ED25519),
        (ED25519.hex().upper(), ED25519),
        (f"  {ED25519.hex()}\n", ED25519),
        (base64.b64encode(POINT).decode(), POINT),
        (POINT.hex(), POINT),
        (base64.b64encode(bytes(33)).decode(), bytes(33)),  # all hex digits, yet base64
        (bytes(33).hex(), bytes(33)),
    ],
)
def test_a_key_is_read_from_base64_or_hex(given_as: str, raw: bytes) -> None:
    assert decode_key(given_as) == raw


@pytest.mark.parametrize("text", ["not-b64!", "zz" * 31 + "!", "é" * 4, "A"])
def test_neither_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        decode_key(text)


@given(st.sampled_from([32, 33, 65]).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
def test_what_is_shown_reads_back(raw: bytes) -> None:
    assert encode_key(raw) == base64.b64encode(raw).decode()
    assert decode_key(encode_key(raw)) == raw
    assert decode_key(raw.hex()) == raw


def public_key() -> bytes:
    return (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


@pytest.mark.parametrize("encode", [bytes.hex, encode_key])
def test_the_api_takes_a_key_in_hex_or_base64_and_shows_base64(
    client: TestClient, tokens: Tokens, encode: Any
) -> None:
    raw = public_key()
    registered = client.post(
        "/api/v1/authorities/east-force/keys",
        headers=tokens("east.admin"),
        json={"alg": ALG_EDDSA, "public_key": encode(raw)},
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["public_key"] == encode_key(raw)
