"""The token as a QR code: alphanumeric mode, error correction Q, and how big it gets."""

from __future__ import annotations

import pytest
import segno

from tansiq.permits.base45 import BASE45_ALPHABET
from tansiq.permits.qr import make_qr
from tansiq.permits.token import sign_permit
from tests.permits.builders import AUTHORITY_SIGNERS, claims

# Measured for the realistic permit in builders.claims() (3 route points, 2 checkpoints,
# 2 conditions, Arabic plate and name): 2 signatures -> version 20 (97 modules),
# 3 signatures -> version 22 (105 modules). A bigger payload or a format change shows here.
BOUNDS = {2: 20, 3: 22}


@pytest.mark.parametrize("count", sorted(BOUNDS))
def test_a_realistic_permit_fits_the_measured_qr_version(count: int) -> None:
    signers = AUTHORITY_SIGNERS[:count]
    token = sign_permit(claims(signers), signers)
    assert set(token) <= set(BASE45_ALPHABET)  # so QR alphanumeric mode takes it whole
    qr = make_qr(token)
    assert qr.version <= BOUNDS[count]
    assert qr.modules == 17 + 4 * qr.version
    assert qr.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert qr.svg.lstrip().startswith("<svg")


def test_the_code_uses_alphanumeric_mode_at_error_correction_q() -> None:
    code = segno.make_qr("TQ1:ABC", error="q", mode="alphanumeric", boost_error=False)
    assert (code.mode, code.error) == ("alphanumeric", "Q")
    assert make_qr("TQ1:ABC").version == code.version
