"""The checkpoint side, for a CLI or a small terminal: a local SQLite queue, offline verify,
and sync with the hub whenever it can be reached.

No hub database code here: the device keeps its own file (trust list, revocations, expected
permits, queued scan events) and talks to the hub over HTTP through an injectable transport.
A push is resumable: events are marked sent only after the hub acknowledged their batch, and
the hub stores each event id once, so a cut connection or a restart on either side loses
nothing and duplicates nothing. That also makes every request safe to repeat: a busy hub (503,
429) or a lost connection is retried with bounded exponential backoff and jitter, honouring
``Retry-After``; any other refusal is final, and whatever was not acknowledged stays queued.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2

from tansiq.checkpoints.advisory_bundle import AdvisoryBundle
from tansiq.checkpoints.device_advisories import held_bundle, kept_bundle
from tansiq.checkpoints.device_errors import (
    BadHubAnswer,
    DeviceFileUnusable,
    GovernanceKeyNotAnnounced,
    HubBusy,
    HubRefused,
    HubUnreachable,
    NotEnrolled,
    NoTrustData,
)
from tansiq.checkpoints.transport import (
    RETRYABLE,
    Backoff,
    Progress,
    Reply,
    Retrying,
    Transport,
    http_transport,
    parse_retry_after,
)
from tansiq.checkpoints.witness import WitnessAlarm, seen_head, witness
from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_
from tansiq.permits.device_trust import (
    compacted_revocations,
    follow_governance,
    revocation_items,
    signer_kid,
)
from tansiq.permits.keys import ALG_EDDSA, key_id, load_public_key
from tansiq.permits.trust import (
    RevocationState,
    load_revocations,
    load_trust_list,
    revocations_file,
)
from tansiq.verifier.verify import DEFAULT_HARD_DATA_AGE, Verdict, VerdictStatus, verify

# The device's whole interface, including what it re-exports from its parts.
__all__ = [
    "BATCH",
    "NOT_SIGNED_HERE",
    "RETRYABLE",
    "Backoff",
    "BadHubAnswer",
    "CheckpointDevice",
    "DeviceFileUnusable",
    "DeviceStore",
    "GovernanceKeyNotAnnounced",
    "HubBusy",
    "HubRefused",
    "HubUnreachable",
    "NoTrustData",
    "NotEnrolled",
    "Progress",
    "Reply",
    "Retrying",
    "SyncReport",
    "Transport",
    "WitnessAlarm",
    "http_transport",
    "parse_retry_after",
]

BATCH = 1000
NOT_SIGNED_HERE = N_("Not signed by {authority}, which mans this checkpoint.")


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
    contradictions: int = 0  # refusals by an authority that approved the permit
    clones_suspected: int = 0  # permits seen where they could not have travelled in time
    ledger_size: int | None = None  # the ledger head this device now holds
    witness_alarm: WitnessAlarm | None = None  # the hub's head was refused (and reported)


class DeviceStore:
    """The device's own SQLite file."""

    def __init__(self, path: Path) -> None:
        try:
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
        except sqlite3.Error as error:  # not a database, a folder, no permission, …
            raise DeviceFileUnusable(path=str(path), problem=str(error)[:200]) from None

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
    def __init__(
        self,
        store: DeviceStore,
        transport: Transport,
        token: str,
        *,
        backoff: Backoff | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.store = store
        self.transport = transport
        self.headers = {"Authorization": f"Device {token}"}
        self.backoff = backoff or Backoff()
        self.progress = progress or Progress()

    def _ask(self, method: str, path: str, body: Any = None) -> Any:
        """The hub's 200 answer to one request, retried while the hub is busy or unreachable.

        Every request the device makes is safe to repeat (a pull reads; the hub stores each
        event id once), so a retry after a lost answer duplicates nothing."""
        retry = 0
        while True:
            retry_after: float | None = None
            try:
                reply = self.transport(method, path, self.headers, body)
            except HubUnreachable as error:
                failure: TansiqError = error
                problem = str(error.params.get("problem", ""))
            else:
                if 200 <= reply.status < 300:
                    return reply.body
                if reply.status not in RETRYABLE:
                    raise HubRefused(problem=_problem(reply.body, reply.status))
                failure = HubBusy(status=reply.status)
                problem = f"HTTP {reply.status}"
                retry_after = reply.retry_after
            retry += 1
            wait = self.backoff.wait(retry, retry_after)
            if wait is None:
                raise failure
            self.progress.retrying(Retrying(retry + 1, self.backoff.attempts, wait, problem))
            self.backoff.sleep(wait)

    def sync(self) -> SyncReport:
        """Pull what is new, then push every queued event (resumable)."""
        pulled = self._pull()
        stored = duplicates = rejected = pushed = contradictions = clones = 0
        total = self.store.count_unsent()
        while batch := self.store.unsent(BATCH):
            answer = self._ask(
                "POST", "/api/v1/sync/events", {"events": [event for _, event in batch]}
            )
            try:
                counts = (answer["stored"], answer["duplicates"], len(answer["rejected"]))
                flags = (
                    int(answer.get("contradictions", 0)),
                    int(answer.get("clones_suspected", 0)),
                )
            except (KeyError, TypeError) as error:
                raise BadHubAnswer(problem=f"events: {error!r}"[:200]) from None
            self.store.mark_sent([seq for seq, _ in batch])
            pushed += len(batch)
            stored += counts[0]
            duplicates += counts[1]
            rejected += counts[2]
            contradictions += flags[0]
            clones += flags[1]
            self.progress.sent(pushed, max(total, pushed))
        return SyncReport(
            pulled["trust_seq"],
            pulled["revocation_seq"],
            len(pulled["expected"]),
            pushed,
            stored,
            duplicates,
            rejected,
            self.store.count_unsent(),
            contradictions,
            clones,
            pulled["ledger_size"],
            pulled["witness_alarm"],
        )

    def _pull(self) -> Any:
        """Fetch and check everything before storing anything. Only the governance keys the
        device was enrolled with, and those they announced in turn, verify what the hub sends;
        the revocation cursor and the data age come from the signed data, never from unsigned
        fields of the answer. The ledger head is witnessed last: a head that does not follow
        from the one held is refused and reported, and the signed trust data is kept."""
        since = int(self.store.get("revocation_seq") or 0)
        held = self._held_head()
        query = f"revocations_since={since}&snapshots=true"
        if held is not None:
            query += f"&head_size={held['size']}"
        answer = self._ask("GET", f"/api/v1/sync/pull?{query}")
        try:
            chain = [
                base64.b64decode(item, validate=True) for item in answer.get("governance_chain", [])
            ]
            followed = follow_governance(
                self._pinned(), chain, after=int(self.store.get("governance_seq") or 0)
            )
            public = [load_public_key(ALG_EDDSA, key) for key in followed.keys]
            trust = None
            if answer["trust_list"] is not None:
                trust = base64.b64decode(answer["trust_list"], validate=True)
                _signed_by_known(trust, followed.keys)
                load_trust_list(trust, public, min_seq=int(self.store.get("trust_seq") or 0))
                trust_seq = int(answer["trust_seq"])
            fresh = cbor2.loads(base64.b64decode(answer["revocations"], validate=True))
            if not (isinstance(fresh, list) and all(isinstance(i, bytes) for i in fresh)):
                raise TypeError("revocations are not a list of signed items")
            for item in fresh:
                _signed_by_known(item, followed.keys)
            known = self.store.get("revocations")
            items = ([] if known is None else revocation_items(known)) + fresh
            # Refuses unsigned items and gaps; a snapshot replaces the deltas it folds.
            state = load_revocations(revocations_file(items), public)
            merged = compacted_revocations(items, state)
            expected = [
                (str(e["number"]), str(e["token"]), str(e["valid_until"]))
                for e in answer["expected"]
            ]
            authority = str(answer.get("authority", ""))
            advisories = kept_bundle(answer.get("advisories"), public, self.store.get("advisories"))
            ledger = answer.get("ledger")
            seen = None if ledger is None else seen_head(ledger)
        # A hub (or something posing as one) that answers out of shape: a coded refusal,
        # and nothing stored (a base64 error is a ValueError).
        except (KeyError, TypeError, ValueError, AttributeError, cbor2.CBORError) as error:
            raise BadHubAnswer(problem=f"pull: {type(error).__name__}") from None
        alarm = None if seen is None else witness(held, seen, followed.keys)
        if trust is not None:
            self.store.put(trust_list=trust, trust_seq=trust_seq)
        self.store.put(
            governance_keys=json.dumps([key.hex() for key in followed.keys]),
            governance_seq=followed.seq,
            revocations=merged,
            revocation_seq=state.seq,
            data_as_of=None if state.as_of is None else state.as_of.isoformat(),
            authority=authority,
            advisories=advisories,
        )
        if seen is not None and alarm is None:
            self.store.put(ledger_head=json.dumps(seen), witness_alarm=None)
        self.store.db.execute("DELETE FROM expected")
        self.store.db.executemany(
            "INSERT INTO expected (number, token, valid_until) VALUES (?, ?, ?)", expected
        )
        self.store.db.commit()
        if alarm is not None and held is not None and seen is not None:
            self._report(alarm, held, seen)
        head = self._held_head()
        return {
            **answer,
            "revocation_seq": state.seq,
            "ledger_size": None if head is None else head["size"],
            "witness_alarm": alarm,
        }

    def _held_head(self) -> dict[str, Any] | None:
        held = self.store.get("ledger_head")
        return None if held is None else dict(json.loads(held))

    def _report(self, alarm: WitnessAlarm, held: dict[str, Any], seen: dict[str, Any]) -> None:
        """Tell the hub (and through it its administrators and the municipality). Kept until
        the hub acknowledged it: a report that cannot be sent now goes with the next sync."""
        report = {
            "code": alarm.code,
            "held_size": held["size"],
            "held_root": held["root"],
            "seen_size": seen["size"],
            "seen_root": seen["root"],
            "seen_kid": seen["kid"],
            "seen_signed_at": seen["signed_at"],
        }
        self.store.put(witness_alarm=json.dumps(report))
        self.store.db.commit()
        self._ask("POST", "/api/v1/sync/witness-reports", report)

    def _pinned(self) -> list[bytes]:
        pinned = self.store.get("governance_keys")
        if not pinned:
            raise NotEnrolled
        return [bytes.fromhex(k) for k in json.loads(pinned)]

    def enrol(self, governance_keys: list[bytes]) -> None:
        """Pin the hub's governance keys (from the hub's operator, not from the network)."""
        for key in governance_keys:
            load_public_key(ALG_EDDSA, key)
        self.store.put(governance_keys=json.dumps([k.hex() for k in governance_keys]))
        self.store.db.commit()

    def governance_keys(self) -> list[Any]:
        """The keys enrolled, and those announced since by keys already trusted."""
        return [load_public_key(ALG_EDDSA, key) for key in self._pinned()]

    def advisories(self) -> AdvisoryBundle | None:
        """The incidents and advisories near this checkpoint as of the last sync (verified)."""
        return held_bundle(self.store.get("advisories"), self.governance_keys())

    def witness_alarm(self) -> dict[str, Any] | None:
        """The last ledger head refused, until a head that follows is accepted."""
        alarm = self.store.get("witness_alarm")
        return None if alarm is None else dict(json.loads(alarm))

    def check(
        self,
        token: str,
        *,
        at: datetime,
        checkpoint: str | None,
        max_data_age: timedelta,
        hard_data_age: timedelta = DEFAULT_HARD_DATA_AGE,
        position: tuple[float, float] | None = None,
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
        # Data age as every verifier counts it: since the newest signed revocation delta.
        verdict = verify(
            token,
            trust=trust,
            revocations=revocations,
            at=at,
            checkpoint=checkpoint,
            max_data_age=max_data_age,
            hard_data_age=hard_data_age,
            position=position,
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
        driver_check: bool | None = None,
    ) -> str:
        """Queue what the officer did (with the driver check's outcome when an ID number was
        checked); returns the event id."""
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
            # The age the officer decided on, as every verifier counts it (never negative: a
            # device clock behind the hub's is not "fresher than fresh").
            "data_age_seconds": max(0, int(verdict.data_age.total_seconds())),
            "driver_check": None
            if driver_check is None
            else ("match" if driver_check else "mismatch"),
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


def _signed_by_known(data: bytes, keys: tuple[bytes, ...]) -> None:
    """Refuse, by name, data signed by a governance key no trusted key announced."""
    kid = signer_kid(data)
    if kid is not None and kid not in {key_id(key) for key in keys}:
        raise GovernanceKeyNotAnnounced(kid=kid.hex())


def _problem(answer: Any, status: int) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        details = ", ".join(
            f"{d.get('code')} at {d.get('path')}" for d in answer["error"].get("details", [])[:3]
        )
        return f"{answer['error'].get('code')} ({status}) {details}".strip()
    return f"HTTP {status}"
