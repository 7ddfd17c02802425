"""The device's side of the advisories bundle (see :mod:`tansiq.checkpoints.advisory_bundle`):
which signed bundle to keep after a pull, and the one held, checked again whenever it is read.
Pure: no hub database, no network."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from tansiq.checkpoints.advisory_bundle import AdvisoryBundle, load_advisory_bundle
from tansiq.core.errors import TansiqError
from tansiq.permits.keys import PublicKey


def kept_bundle(
    pulled: object, governance_keys: Sequence[PublicKey], held: bytes | None
) -> bytes | None:
    """The signed bundle to keep after a pull: the pulled one (base64 in the answer), verified
    before anything is stored, unless the hub sent none or one older than the bundle held (a
    replayed answer must not hide a closure announced since). A bundle that fails its checks
    refuses the whole pull, as a bad trust list does."""
    if pulled is None:
        return held
    if not isinstance(pulled, str):
        raise TypeError("advisories are not base64 text")
    signed = base64.b64decode(pulled, validate=True)
    fresh = load_advisory_bundle(signed, governance_keys)
    kept = held_bundle(held, governance_keys)
    return held if kept is not None and kept.issued_at > fresh.issued_at else signed


def held_bundle(held: bytes | None, governance_keys: Sequence[PublicKey]) -> AdvisoryBundle | None:
    """The bundle held, verified again; None when there is none or it is no longer trusted
    (its key gone): the next pull brings a fresh one."""
    if held is None:
        return None
    try:
        return load_advisory_bundle(held, governance_keys)
    except TansiqError:
        return None
