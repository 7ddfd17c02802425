"""The checkpoint side, for a CLI or a small terminal: a local SQLite queue, offline verify,
and sync with the hub whenever it can be reached.

No hub database code here: the device keeps its own file (trust list, revocations, expected
permits, queued scan events) and talks to the hub over HTTP through an injectable transport.
A push is resumable: events are marked sent only after the hub acknowledged their batch, and
the hub stores each event id once, so a cut connection or a restart on either side loses
nothing and duplicates nothing.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_
from tansiq.permits.keys import ALG_EDDSA, load_public_key
from tansiq.permits.trust import RevocationState, load_revocations, load_trust_list
from tansiq.verifier.verify import Verdict, VerdictStatus, verify

BATCH = 1000
NOT_SIGNED_HERE = N_("Not signed by {authority}, which mans this checkpoint.")
# (method, path, headers, JSON body or None) -> (status, JSON answer)
Transport = Callable[[str, str, dict[str, str], Any], tuple[int, Any]]


class HubUnreachable(TansiqError):
    code = "device.hub_unreachable"
    message = N_("The hub cannot be reached ({problem}); events stay queued.")
    category = ErrorCategory.CONFLICT


class HubRefused(TansiqError):
    code = "device.hub_refused"
    message = N_("The hub refused the sync: {problem}")


class NotEnrolled(TansiqError):
    code = "device.not_enrolled"
    message = N_(
        "This device has no governance keys pinned: enrol it with the keys the hub's "
        "operator gave you."
    )


class NoTrustData(TansiqError):
    code = "device.no_trust_data"
    message = N_("This device has no trust list yet: sync with the hub once first.")


def http_transport(base_url: str, timeout: float = 30.0) -> Transport:
    """A transport over HTTP(S) to ``base_url`` (standard library only)."""
    base = base_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise HubUnreachable(problem="the hub URL must start with http:// or https://")

    def send(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            base + path,
            data=data,
            method=method,
            headers={**headers, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
        except (OSError, ValueError) as error:
            raise HubUnreachable(problem=str(error)[:200]) from None

    return send


@dataclass(frozen=True)
class SyncReport:
    pulled_trust_seq: int
    revocation_seq: int
    expected: int
    pushed: int
    stored: int
    duplicates: int
    rejected: int
    remaining: int


class DeviceStore:
    """The device's own SQLite file."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
            CREATE TABLE IF NOT EXISTS queue (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, body TEXT NOT NULL,
                sent INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS expected (
                number TEXT PRIMARY KEY, token TEXT NOT NULL, valid_until TEXT NOT NULL);
        """)
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def get(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def put(self, **values: Any) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items())
        )

    def queue(self, event: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO queue (id, body) VALUES (?, ?)", (event["id"], json.dumps(event))
        )
        self.db.commit()

    def unsent(self, limit: int) -> list[tuple[int, dict[str, Any]]]:
        rows = self.db.execute(
            "SELECT seq, body FROM queue WHERE sent = 0 ORDER BY seq LIMIT ?", (limit,)
        )
        return [(seq, json.loads(body)) for seq, body in rows]

    def count_unsent(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM queue WHERE sent = 0").fetchone()[0])

    def mark_sent(self, seqs: list[int]) -> None:
        self.db.executemany("UPDATE queue SET sent = 1 WHERE seq = ?", [(s,) for s in seqs])
        self.db.commit()


class CheckpointDevice:
    def __init__(self, store: DeviceStore, transport: Transport, token: str) -> None:
        self.store = store
        self.transport = transport
        self.headers = {"Authorization": f"Device {token}"}

    def sync(self) -> SyncReport:
        """Pull what is new, then push every queued event (resumable)."""
        pulled = self._pull()
        stored = duplicates = rejected = pushed = 0
        while batch := self.store.unsent(BATCH):
            status, answer = self.transport(
                "POST",
                "/api/v1/sync/events",
                self.headers,
                {"events": [event for _, event in batch]},
            )
            if status != 200:
                raise HubRefused(problem=_problem(answer, status))
            self.store.mark_sent([seq for seq, _ in batch])
            pushed += len(batch)
            stored += answer["stored"]
            duplicates += answer["duplicates"]
            rejected += len(answer["rejected"])
        return SyncReport(
            pulled["trust_seq"],
            pulled["revocation_seq"],
            len(pulled["expected"]),
            pushed,
            stored,
            duplicates,
            rejected,
            self.store.count_unsent(),
        )

    def _pull(self) -> Any:
        """Fetch and check everything before storing anything. Only the governance keys the
        device was enrolled with verify what the hub sends; the revocation cursor and the data
        age come from the signed deltas, never from unsigned fields of the answer."""
        public = self.governance_keys()
        since = int(self.store.get("revocation_seq") or 0)
        status, answer = self.transport(
            "GET", f"/api/v1/sync/pull?revocations_since={since}", self.headers, None
        )
        if status != 200:
            raise HubRefused(problem=_problem(answer, status))
        trust = None
        if answer["trust_list"] is not None:
            trust = base64.b64decode(answer["trust_list"])
            load_trust_list(trust, public, min_seq=int(self.store.get("trust_seq") or 0))
        merged = _merge_revocations(
            self.store.get("revocations"), base64.b64decode(answer["revocations"])
        )
        state = load_revocations(merged, public)  # refuses unsigned deltas and gaps
        if trust is not None:
            self.store.put(trust_list=trust, trust_seq=int(answer["trust_seq"]))
        self.store.put(
            revocations=merged,
            revocation_seq=state.seq,
            data_as_of=None if state.as_of is None else state.as_of.isoformat(),
            authority=str(answer.get("authority", "")),
        )
        self.store.db.execute("DELETE FROM expected")
        self.store.db.executemany(
            "INSERT INTO expected (number, token, valid_until) VALUES (?, ?, ?)",
            [(e["number"], e["token"], e["valid_until"]) for e in answer["expected"]],
        )
        self.store.db.commit()
        return {**answer, "revocation_seq": state.seq}

    def enrol(self, governance_keys: list[bytes]) -> None:
        """Pin the hub's governance keys (from the hub's operator, not from the network)."""
        for key in governance_keys:
            load_public_key(ALG_EDDSA, key)
        self.store.put(governance_keys=json.dumps([k.hex() for k in governance_keys]))
        self.store.db.commit()

    def governance_keys(self) -> list[Any]:
        pinned = self.store.get("governance_keys")
        if not pinned:
            raise NotEnrolled
        return [load_public_key(ALG_EDDSA, bytes.fromhex(k)) for k in json.loads(pinned)]

    def check(
        self, token: str, *, at: datetime, checkpoint: str | None, max_data_age: timedelta
    ) -> Verdict:
        """Verify ``token`` offline against what the last sync brought."""
        trust_bytes = self.store.get("trust_list")
        if trust_bytes is None:
            raise NoTrustData
        keys = self.governance_keys()
        trust = load_trust_list(trust_bytes, keys)
        revocations_bytes = self.store.get("revocations")
        revocations = (
            RevocationState()
            if revocations_bytes is None
            else load_revocations(revocations_bytes, keys)
        )
        # Fresh as of the last signed revocation delta (the hub signs an empty one at least
        # hourly): the trust list itself changes only when keys do.
        verdict = verify(
            token,
            trust=trust,
            revocations=revocations,
            at=at,
            checkpoint=checkpoint,
            data_as_of=revocations.as_of,
            max_data_age=max_data_age,
        )
        return _signed_by_operator(verdict, self.store.get("authority"))

    def record(
        self,
        verdict: Verdict,
        *,
        at: datetime,
        action: str,
        reason_code: str | None = None,
        note: str = "",
        officer: str = "",
    ) -> str:
        """Queue what the officer did; returns the event id."""
        claims = verdict.claims
        event = {
            "id": uuid.uuid4().hex,
            "scanned_at": at.isoformat(),
            "permit": claims.cti if claims else "unreadable",
            "version": claims.version if claims else 1,
            "verdict": verdict.status.value,
            "action": action,
            "reason_code": reason_code,
            "note": note,
            "officer": officer,
        }
        self.store.queue(event)
        return str(event["id"])


def _signed_by_operator(verdict: Verdict, authority: str | None) -> Verdict:
    """A permit honoured at a checkpoint must carry the signature of the authority that mans
    it: a token listing only other authorities' keys is not for this road."""
    if not authority or not verdict.valid or authority in verdict.authorities:
        return verdict
    return replace(
        verdict,
        status=VerdictStatus.MISSING_SIGNATURE,
        reason=NOT_SIGNED_HERE,
        params={"authority": authority},
        findings=(*verdict.findings, VerdictStatus.MISSING_SIGNATURE),
    )


def _merge_revocations(known: bytes | None, new: bytes) -> bytes:
    items = ([] if known is None else cbor2.loads(known)) + cbor2.loads(new)
    unique = {bytes(item): None for item in items}
    return bytes(cbor2.dumps(list(unique)))


def _problem(answer: Any, status: int) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        details = ", ".join(
            f"{d.get('code')} at {d.get('path')}" for d in answer["error"].get("details", [])[:3]
        )
        return f"{answer['error'].get('code')} ({status}) {details}".strip()
    return f"HTTP {status}"
