"""The browser's verifier (web/assets/checkpoint/verify.js) reaches the same verdict as the
hub's (verifier/verify.py plus the device rule of checkpoints/client.py) for the same token,
trust list, revocations, time and checkpoint: status, reason, findings, all of them. Tokens
are made here in Python, good and bad, and checked in Debian's Chromium with no network."""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Browser

from tansiq.checkpoints.client import NOT_SIGNED_HERE, _signed_by_operator
from tansiq.core.errors import TansiqError
from tansiq.permits.base45 import b45encode
from tansiq.permits.claims import Condition, Driver, PermitClaims, Vehicle, claims_to_cbor
from tansiq.permits.cose import protected_header, sig_structure
from tansiq.permits.keys import (
    ALG_EDDSA,
    ALG_ES256,
    Ed25519Signer,
    ES256Signer,
    Signer,
    raw_public_key,
)
from tansiq.permits.token import PREFIX, assemble, sign_permit
from tansiq.permits.trust import (
    KeyStatus,
    RevocationDelta,
    RevocationEntry,
    RevocationState,
    RevocationStatus,
    TrustList,
    load_revocations,
    load_trust_list,
    revocations_file,
    sign_revocation_delta,
    sign_trust_list,
)
from tansiq.verifier.verify import NO_REVOCATIONS, REASONS, verify
from tests.conftest import NOW
from tests.e2e.browsing import Visit
from tests.permits.builders import entry

HERE = "BRIDGE-W"
BAGHDAD = (44.3661, 33.3152)  # lon, lat
AUTHORITY = "west-command"
MAX_AGE = timedelta(hours=24)


def _ed() -> Ed25519Signer:
    return Ed25519Signer(Ed25519PrivateKey.generate())


def _es() -> ES256Signer:
    return ES256Signer(ec.generate_private_key(ec.SECP256R1()))


GOVERNANCE = _ed()
WEST, EAST, STRANGER, BROKEN, ELDER = _ed(), _es(), _ed(), _ed(), _ed()


KEYS_FROM = NOW - timedelta(days=30)


TRUST = sign_trust_list(
    TrustList(
        seq=3,
        issued_at=NOW - timedelta(hours=2),
        entries=[
            entry(WEST, AUTHORITY, valid_from=KEYS_FROM),
            entry(EAST, "east-force", valid_from=KEYS_FROM),
            entry(BROKEN, "east-force", valid_from=KEYS_FROM, status=KeyStatus.COMPROMISED),
            entry(ELDER, "west-command", valid_from=KEYS_FROM, valid_to=NOW - timedelta(days=10)),
        ],
    ),
    GOVERNANCE,
)


def _delta(seq: int, hours_ago: int, *entries: tuple[str, int | None, RevocationStatus]) -> bytes:
    return sign_revocation_delta(
        RevocationDelta(
            seq=seq,
            issued_at=NOW - timedelta(hours=hours_ago),
            entries=tuple(
                RevocationEntry(cti, version, status, "permit_misused", NOW - timedelta(hours=3))
                for cti, version, status in entries
            ),
        ),
        GOVERNANCE,
    )


DELTAS = [
    _delta(
        1,
        3,
        ("REV-1", None, RevocationStatus.REVOKED),
        ("SUS-1", 1, RevocationStatus.SUSPENDED),
        ("REIN-1", 1, RevocationStatus.REVOKED),
    ),
    _delta(2, 1, ("REIN-1", 1, RevocationStatus.REINSTATED)),
]


def _claims(**changes: Any) -> PermitClaims:
    base = PermitClaims(
        issuer="tansiq-hub",
        cti="P-2026-0001",
        version=1,
        iat=NOW - timedelta(hours=1),
        nbf=NOW - timedelta(hours=1),
        exp=NOW + timedelta(days=2),
        vehicle=Vehicle(plate="12 345 AB", kind="truck"),
        driver=Driver(name="سمير الحلبي", id_hash=b"\x01" * 32, id_salt=b"\x02" * 16),
        cargo="Wheat flour, 400 bags",
        required_kids=(WEST.kid, EAST.kid),
        checkpoints=(HERE, "EAST-GATE"),
    )
    return replace(base, **changes)


def _signed(payload: bytes, signers: list[Signer], alg: int | None = None) -> str:
    return assemble(
        payload,
        [
            (
                alg or s.alg,
                s.kid,
                s.sign(sig_structure(b"", protected_header(alg or s.alg), payload)),
            )
            for s in signers
        ],
    )


def _text_of(cose: Any) -> str:
    return PREFIX + b45encode(zlib.compress(cbor2.dumps(cose)))


def _forged() -> str:
    payload = claims_to_cbor(_claims())
    good = WEST.sign(sig_structure(b"", protected_header(ALG_EDDSA), payload))
    bad = bytes([good[0] ^ 1]) + good[1:]
    east = EAST.sign(sig_structure(b"", protected_header(ALG_ES256), payload))
    return assemble(payload, [(ALG_EDDSA, WEST.kid, bad), (ALG_ES256, EAST.kid, east)])


def _tampered() -> str:
    signed = claims_to_cbor(_claims())
    other = claims_to_cbor(_claims(cargo="Rifles"))
    sigs = [
        (s.alg, s.kid, s.sign(sig_structure(b"", protected_header(s.alg), signed)))
        for s in (WEST, EAST)
    ]
    return assemble(other, sigs)


def _long_form_payload() -> str:
    # A validly signed payload whose CBOR is not in shortest form: the hub calls it malformed.
    payload = claims_to_cbor(_claims())
    assert payload[1] == 0x01  # key 1 of the claims map
    return _signed(payload[:1] + b"\x18\x01" + payload[2:], [WEST, EAST])


def _duplicate_key() -> bytes:
    payload = claims_to_cbor(_claims())
    assert 0xA0 <= payload[0] < 0xB7  # a short map header
    return bytes([payload[0] + 1]) + payload[1:] + b"\x01\x61x"  # key 1 once more


def _bomb() -> str:
    return PREFIX + b45encode(zlib.compress(b"\0" * 100_000, 9))


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    at: datetime = NOW
    checkpoint: str | None = HERE
    authority: str = AUTHORITY
    revocations: bool = True
    position: tuple[float, float] | None = None


VALID = sign_permit(_claims(), [WEST, EAST])
CASES = [
    Case("valid", VALID),
    Case("valid, checkpoint in another case", VALID, checkpoint="bridge-w"),
    Case(
        "valid, Arabic and unnormalised text",
        sign_permit(_claims(cargo="  طحين القمح\u0301  ", conditions=()), [WEST, EAST]),
    ),
    Case("forged signature", _forged()),
    Case("truncated", VALID[:-12]),
    Case("tampered payload", _tampered()),
    Case("revoked (all versions)", sign_permit(_claims(cti="REV-1"), [WEST, EAST])),
    Case("suspended", sign_permit(_claims(cti="SUS-1"), [WEST, EAST])),
    Case("reinstated", sign_permit(_claims(cti="REIN-1"), [WEST, EAST])),
    Case("expired", VALID, at=NOW + timedelta(days=3)),
    Case("not yet valid", VALID, at=NOW - timedelta(hours=2)),
    Case("missing required signature", sign_permit(_claims(), [WEST])),
    Case(
        "unknown key",
        sign_permit(_claims(required_kids=(WEST.kid, STRANGER.kid)), [WEST, STRANGER]),
    ),
    Case("extra unknown signer ignored", sign_permit(_claims(), [WEST, EAST, STRANGER])),
    Case(
        "compromised key",
        sign_permit(_claims(required_kids=(WEST.kid, BROKEN.kid)), [WEST, BROKEN]),
    ),
    Case("key expired before iat", sign_permit(_claims(required_kids=(ELDER.kid,)), [ELDER])),
    Case("one authority twice", sign_permit(_claims(required_kids=(EAST.kid, BROKEN.kid)), [EAST])),
    Case("same key signed twice", _signed(claims_to_cbor(_claims()), [WEST, WEST, EAST])),
    Case("algorithm swapped", _signed(claims_to_cbor(_claims()), [WEST, EAST], alg=ALG_EDDSA)),
    Case("wrong checkpoint authority", sign_permit(_claims(required_kids=(EAST.kid,)), [EAST])),
    Case("off route", sign_permit(_claims(checkpoints=("EAST-GATE",)), [WEST, EAST])),
    Case("no checkpoint list: never off route", sign_permit(_claims(checkpoints=()), [WEST, EAST])),
    Case("old data: a warning, the verdict stands", VALID, at=NOW + timedelta(hours=26)),
    Case(
        "data past the hard limit",
        sign_permit(_claims(exp=NOW + timedelta(days=10)), [WEST, EAST]),
        at=NOW + timedelta(days=8),
    ),
    Case(
        "daylight only, by day",
        sign_permit(_claims(conditions=(Condition("daylight_only"),)), [WEST, EAST]),
        position=BAGHDAD,
        at=NOW.replace(hour=9),
    ),
    Case(
        "daylight only, at night",
        sign_permit(_claims(conditions=(Condition("daylight_only"),)), [WEST, EAST]),
        position=BAGHDAD,
        at=NOW.replace(hour=19),
    ),
    Case(
        "daylight only, no position",
        sign_permit(_claims(conditions=(Condition("daylight_only"),)), [WEST, EAST]),
        at=NOW.replace(hour=19),
    ),
    Case(
        "via this checkpoint",
        sign_permit(
            _claims(conditions=(Condition("via_checkpoints", "bridge-w, X"),)), [WEST, EAST]
        ),
    ),
    Case(
        "via other checkpoints",
        sign_permit(_claims(conditions=(Condition("via_checkpoints", "EAST-GATE"),)), [WEST, EAST]),
        position=BAGHDAD,
        at=NOW.replace(hour=19),
    ),
    Case("no revocation data", VALID, revocations=False),
    Case(
        "revoked and expired: revoked wins",
        sign_permit(_claims(cti="REV-1"), [WEST, EAST]),
        at=NOW + timedelta(days=3),
    ),
    Case("garbage", "hello, world"),
    Case("empty", ""),
    Case("prefix only", PREFIX),
    Case("wrong prefix", "TQ2:" + VALID[4:]),
    Case("lower-case Base45", PREFIX + VALID[4:].lower()),
    Case("non-ASCII", VALID + "\u0661"),
    Case("dangling Base45 character", VALID + "0"),
    Case("Base45 triplet out of range", PREFIX + "::::::"),
    Case("not zlib", PREFIX + b45encode(cbor2.dumps([1, 2, 3]))),
    Case("zlib with trailing bytes", PREFIX + b45encode(zlib.compress(b"\x80") + b"\0")),
    Case("inflates past 16 KiB", _bomb()),
    Case("huge text", PREFIX + "A" * 300_000),
    Case("not COSE_Sign", _text_of(cbor2.CBORTag(18, [b"", {}, b"", b""]))),
    Case("no signatures", _text_of(cbor2.CBORTag(98, [b"", {}, claims_to_cbor(_claims()), []]))),
    Case("indefinite array", PREFIX + b45encode(zlib.compress(b"\x9f\xff"))),
    Case("CBOR not in shortest form", _long_form_payload()),
    Case(
        "float in claims",
        _signed(cbor2.dumps({**cbor2.loads(claims_to_cbor(_claims())), 3: 1.0}), [WEST, EAST]),
    ),
    Case(
        "unknown claim key",
        _signed(cbor2.dumps({**cbor2.loads(claims_to_cbor(_claims())), 14: 1}), [WEST, EAST]),
    ),
    Case("duplicate map key", _signed(_duplicate_key(), [WEST, EAST])),
    Case(
        "kid changed after signing", _signed(claims_to_cbor(_claims())[:-1] + b"\x01", [WEST, EAST])
    ),
]


def _python_verdict(case: Case) -> dict[str, Any]:
    trust = load_trust_list(TRUST, [GOVERNANCE.private_key.public_key()])
    state = (
        load_revocations(revocations_file(DELTAS), [GOVERNANCE.private_key.public_key()])
        if case.revocations
        else RevocationState()
    )
    verdict = _signed_by_operator(
        verify(
            case.text,
            trust=trust,
            revocations=state,
            at=case.at,
            checkpoint=case.checkpoint,
            data_as_of=state.as_of,
            max_data_age=MAX_AGE,
            position=case.position,
        ),
        case.authority,
    )
    codes: dict[str, str] = {m: s.value for s, m in REASONS.items()}
    codes |= {NO_REVOCATIONS: "no_revocations", NOT_SIGNED_HERE: "not_signed_here"}
    return {
        "status": verdict.status.value,
        "reason": codes[verdict.reason],
        "findings": [f.value for f in verdict.findings],
        "authorities": list(verdict.authorities),
        "revocation": verdict.params.get("reason"),
        "permitStatus": verdict.permit_status.value,
        "dataOld": verdict.data_old,
        # Both keep their times as ISO 8601 in UTC and write them for the reader when shown.
        "sunrise": verdict.params.get("sunrise"),
        "sunset": verdict.params.get("sunset"),
        "exp": verdict.params.get("exp"),
        "nbf": verdict.params.get("nbf"),
    }


BROWSER_CHECK = """async ([gov, trust, deltas, cases]) => {
  const v = await import("/assets/checkpoint/verify.js");
  const keys = await v.governanceKeys(gov.map(v.fromBase64));
  const list = await v.loadTrustList(v.fromBase64(trust), keys);
  const out = [];
  for (const c of cases) {
    const state = c.revocations
      ? await v.loadRevocations(deltas.map(v.fromBase64), keys) : new v.RevocationState();
    const verdict = v.signedByOperator(await v.verify(c.text, {
      trust: list, revocations: state, at: c.at, checkpoint: c.checkpoint,
      dataAsOf: state.asOf, maxDataAge: 24 * 3600e3, position: c.position,
    }), c.authority);
    out.push({status: verdict.status, reason: verdict.reason, findings: verdict.findings,
              authorities: verdict.authorities, revocation: verdict.params.reason ?? null,
              permitStatus: verdict.permitStatus, dataOld: verdict.dataOld,
              sunrise: verdict.params.sunrise ?? null, sunset: verdict.params.sunset ?? null,
              exp: verdict.params.exp ?? null, nbf: verdict.params.nbf ?? null});
  }
  return out;
}"""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _visit(browser: Browser, server: str) -> tuple[Visit, list[str]]:
    """The app's page (which loads verify.js's origin), and the page errors it raises."""
    visit = Visit(browser, server, "en")
    errors: list[str] = []
    visit.page.on("pageerror", lambda error: errors.append(str(error)))
    visit.page.goto("/checkpoint")
    visit.page.wait_for_selector("#officer[data-ready=true]")
    return visit, errors


def test_the_browser_reaches_the_hubs_verdict_on_every_case(server: str, browser: Browser) -> None:
    visit, errors = _visit(browser, server)
    governance = raw_public_key(GOVERNANCE.private_key.public_key())
    answers = visit.page.evaluate(
        BROWSER_CHECK,
        [
            [_b64(governance)],
            _b64(TRUST),
            [_b64(d) for d in DELTAS],
            [
                {
                    "text": c.text,
                    "at": int(c.at.timestamp() * 1000),
                    "checkpoint": c.checkpoint,
                    "authority": c.authority,
                    "revocations": c.revocations,
                    "position": None if c.position is None else list(c.position),
                }
                for c in CASES
            ],
        ],
    )
    expected = [_python_verdict(case) for case in CASES]
    differ = [
        (case.name, python, browser_says)
        for case, python, browser_says in zip(CASES, expected, answers, strict=True)
        if python != browser_says
    ]
    assert differ == [], differ
    statuses = {e["status"] for e in expected}
    assert statuses >= {
        "valid",
        "forged",
        "unknown_key",
        "missing_signature",
        "revoked",
        "suspended",
        "expired",
        "not_yet_valid",
        "off_route",
        "condition_via",
        "condition_daylight",
        "stale",
        "malformed",
    }
    assert any(e["dataOld"] and e["status"] == "valid" for e in expected)
    assert errors == [], errors
    assert not [c for c in visit.console if "rror" in c], visit.console
    visit.close()


def _trust_error(check: Callable[[], object]) -> str:
    try:
        check()
    except TansiqError as error:
        return error.code
    return "accepted"


TRUST_CHECK = """async ([gov, trust, deltas, minSeq]) => {
  const v = await import("/assets/checkpoint/verify.js");
  const keys = await v.governanceKeys(gov.map(v.fromBase64));
  try {
    await v.loadTrustList(v.fromBase64(trust), keys, minSeq);
    await v.loadRevocations(deltas.map(v.fromBase64), keys);
    return "accepted";
  } catch (error) {
    return error.code || String(error);
  }
}"""


def test_the_browser_refuses_the_trust_data_the_hub_refuses(server: str, browser: Browser) -> None:
    governance = GOVERNANCE.private_key.public_key()
    other = _ed()
    tampered = bytearray(DELTAS[0])
    tampered[-70] ^= 1
    cases = {
        "good": ([governance], TRUST, DELTAS, 0),
        "signed by another key": ([other.private_key.public_key()], TRUST, DELTAS, 0),
        "replayed (older sequence)": ([governance], TRUST, DELTAS, 4),
        "revocation gap": ([governance], TRUST, [DELTAS[1]], 0),
        "tampered delta": ([governance], TRUST, [bytes(tampered), DELTAS[1]], 0),
        "not CBOR": ([governance], b"\xff\x00", DELTAS, 0),
    }
    visit, errors = _visit(browser, server)
    for name, (keys, trust, deltas, min_seq) in cases.items():

        def hub_side(
            keys: Any = keys, trust: bytes = trust, deltas: Any = deltas, min_seq: int = min_seq
        ) -> None:
            load_trust_list(trust, keys, min_seq=min_seq)
            load_revocations(revocations_file(deltas), keys)

        browser_side = visit.page.evaluate(
            TRUST_CHECK,
            [
                [_b64(raw_public_key(k)) for k in keys],
                _b64(trust),
                [_b64(d) for d in deltas],
                min_seq,
            ],
        )
        assert browser_side == _trust_error(hub_side), name
    assert errors == [], errors
    visit.close()
