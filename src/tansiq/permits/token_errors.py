"""What can be wrong with a permit token, its claims or a public key: coded errors."""

from __future__ import annotations

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_, NP_


class PermitTokenMalformed(TansiqError):
    """Anything wrong with a token's text, compression, CBOR or structure.

    ``params["problem"]`` names the problem in English for logs; the message stays general."""

    code = "permit.token_malformed"
    message = N_("This is not a readable Tansiq permit: the code is damaged or not a permit.")


class Base45Invalid(PermitTokenMalformed):
    code = "permit.base45_invalid"
    message = N_("The text is not valid Base45.")


class PermitTokenTooLarge(PermitTokenMalformed):
    code = "permit.token_too_large"
    message = NP_(
        "The permit token inflates to more than {count} byte.",
        "The permit token inflates to more than {count} bytes.",
    )


class UnsupportedAlgorithm(PermitTokenMalformed):
    code = "permit.alg_unsupported"
    message = N_("The signature algorithm is not supported (EdDSA and ES256 are).")


class SignatureInvalid(TansiqError):
    code = "permit.signature_invalid"
    message = N_("A signature does not match the signed content.")


class PermitClaimsInvalid(TansiqError):
    code = "permit.claims_invalid"
    message = N_("The permit contents are not valid.")


class PublicKeyInvalid(TansiqError):
    code = "permit.public_key_invalid"
    message = N_("The public key is not a valid key for its algorithm.")
