"""Secrets at rest: private keys are sealed with AES-256-GCM under a key derived from the
hub's secret (``TANSIQ_SECRET_KEY``), so a copy of the database alone signs nothing."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_

_VERSION = b"\x01"
MIN_SECRET_LENGTH = 32


class SecretKeyMissing(TansiqError):
    code = "settings.secret_key_missing"
    message = N_("Set TANSIQ_SECRET_KEY (at least 32 characters) before keys can be made or used.")


class SealBroken(TansiqError):
    code = "settings.secret_key_wrong"
    message = N_(
        "A sealed key cannot be opened: TANSIQ_SECRET_KEY is not the one it was sealed with."
    )


def _key(secret: str | None, purpose: bytes) -> bytes:
    if not secret or len(secret) < MIN_SECRET_LENGTH:
        raise SecretKeyMissing
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


def seal(secret: str | None, plaintext: bytes, *, purpose: bytes) -> bytes:
    nonce = os.urandom(12)
    return _VERSION + nonce + AESGCM(_key(secret, purpose)).encrypt(nonce, plaintext, purpose)


def unseal(secret: str | None, sealed: bytes, *, purpose: bytes) -> bytes:
    if sealed[:1] != _VERSION or len(sealed) < 1 + 12 + 16:
        raise SealBroken
    try:
        return AESGCM(_key(secret, purpose)).decrypt(sealed[1:13], sealed[13:], purpose)
    except InvalidTag:
        raise SealBroken from None
