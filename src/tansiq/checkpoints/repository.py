"""Every query about devices and scan events."""

from __future__ import annotations

import functools
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    column,
    false,
    func,
    or_,
    select,
    tuple_,
    type_coerce,
    update,
    values,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from tansiq.checkpoints.access import ScanSight
from tansiq.checkpoints.models import DeviceRecord, ScanEventRecord, WitnessReportRecord
from tansiq.core.clock import ensure_utc
from tansiq.db.base import UTCDateTime
from tansiq.db.repository import Repository
from tansiq.geo.models import CheckpointRecord


class SyncingDevice(NamedTuple):
    """A device whose push is being stored: what storing it needs of the device."""

    id: int
    checkpoint_id: int
    token_hash: str
    revoked_at: datetime | None
    last_sync_at: datetime | None


class CheckpointRepository(Repository[DeviceRecord | WitnessReportRecord]):
    def device(self, device_id: int) -> DeviceRecord | None:
        return self.session.get(DeviceRecord, device_id)

    def device_by_token_hash(self, token_hash: str) -> DeviceRecord | None:
        return self.session.scalars(
            select(DeviceRecord).where(DeviceRecord.token_hash == token_hash)
        ).first()

    def devices_by_token_hashes(self, token_hashes: Collection[str]) -> list[SyncingDevice]:
        """The devices holding these tokens (by hash), as storing their pushes needs them."""
        if not token_hashes:
            return []
        if self.session.get_bind().dialect.name == "postgresql":
            found = self.session.execute(
                _devices_by_token_hashes(), {"hashes": sorted(token_hashes)}
            )
        else:
            devices = cast(Table, DeviceRecord.__table__).c
            found = self.session.execute(
                _syncing_devices().where(self.among(devices.token_hash, token_hashes))
            )
        return [SyncingDevice(*row) for row in found]

    def note_devices_sync(
        self, device_ids: Collection[int], now: datetime, stale_before: datetime
    ) -> None:
        """Record ``now`` as these devices' last sync, unless one since ``stale_before`` is."""
        if not device_ids:
            return
        self.session.execute(
            update(DeviceRecord)
            .where(DeviceRecord.id.in_(device_ids))
            .where(
                or_(DeviceRecord.last_sync_at.is_(None), DeviceRecord.last_sync_at < stale_before)
            )
            .values(last_sync_at=now)
            .execution_options(synchronize_session=False)
        )

    def note_device_sync(self, device_id: int, now: datetime, stale_before: datetime) -> None:
        """Record ``now`` as the device's last sync, unless one since ``stale_before`` is."""
        self.session.execute(
            update(DeviceRecord)
            .where(DeviceRecord.id == device_id)
            .where(
                or_(DeviceRecord.last_sync_at.is_(None), DeviceRecord.last_sync_at < stale_before)
            )
            .values(last_sync_at=now)
        )

    def devices(self, checkpoint_id: int) -> Sequence[DeviceRecord]:
        return self.session.scalars(
            select(DeviceRecord).where(DeviceRecord.checkpoint_id == checkpoint_id)
        ).all()

    def devices_of(self, checkpoint_ids: Collection[int]) -> Sequence[DeviceRecord]:
        """The devices of many checkpoints in one query, in the order ``devices`` gives them."""
        if not checkpoint_ids:
            return []
        return self.session.scalars(
            select(DeviceRecord)
            .where(DeviceRecord.checkpoint_id.in_(checkpoint_ids))
            .order_by(DeviceRecord.id)
        ).all()

    def insert_events(self, rows: list[dict[str, Any]]) -> set[tuple[int, str]]:
        """Insert ``rows`` (each pair of device and event id once), skipping the pairs already
        stored; the pairs actually inserted. ON CONFLICT DO NOTHING guarantees that a
        concurrent sync of the same events stores each once."""
        if not rows:
            return set()
        if self.session.get_bind().dialect.name == "postgresql":
            return self._insert_events_postgresql(rows)
        return self._insert_events_sqlite(rows)

    def _insert_events_sqlite(self, rows: list[dict[str, Any]]) -> set[tuple[int, str]]:
        # The rows go to the driver as plain tuples, in one executemany: each column's own
        # bind processor, applied here, is all SQLAlchemy would do per row, at a fraction of
        # its per-row cost. The write lock is held to the commit, and a new row's id is one
        # past the largest (an INTEGER PRIMARY KEY's rowid): when some pairs were already
        # stored (a replay), the rows with an id past the largest before are the ones stored.
        table = cast(Table, ScanEventRecord.__table__)
        connection = self.session.connection()
        dialect = connection.dialect
        last = self.session.execute(select(func.max(table.c.id))).scalar()
        names = list(rows[0])
        binds = [_sqlite_bind(table.c[name].type, dialect) for name in names]
        processed = [(i, bind) for i, bind in enumerate(binds) if bind is not None]
        values: list[tuple[Any, ...]] = []
        for row in rows:
            value = [row[name] for name in names]
            for i, bind in processed:
                value[i] = bind(value[i])
            values.append(tuple(value))
        stored = connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608 - our own column names
            f"VALUES ({', '.join('?' * len(names))}) "
            "ON CONFLICT (device_id, event_uid) DO NOTHING",
            values,
        ).rowcount
        if stored == len(rows):
            return {(row["device_id"], row["event_uid"]) for row in rows}
        since = select(table.c.device_id, table.c.event_uid)
        if last is not None:
            since = since.where(table.c.id > last)
        return {(device_id, uid) for device_id, uid in self.session.execute(since)}

    def _insert_events_postgresql(self, rows: list[dict[str, Any]]) -> set[tuple[int, str]]:
        # One statement whatever the number of rows: the rows go as one JSON array, made into
        # rows on the server, so the text never changes (psycopg parses it once and the server
        # prepares it) and RETURNING names the pairs stored, in one round trip. A statement
        # per row (executemany) cost the server a parse, a bind and an execute each, and the
        # pairs already stored had to be looked for first; one array parameter per column
        # cost psycopg a Python call per value.
        table = cast(Table, ScanEventRecord.__table__)
        connection = self.session.connection()
        names = list(rows[0])
        listed = ", ".join(names)
        stored = connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({listed}) "  # noqa: S608 - our own table and column names
            f"SELECT {listed} FROM json_populate_recordset(NULL::{table.name}, %(rows)s::json) "
            "ON CONFLICT (device_id, event_uid) DO NOTHING RETURNING device_id, event_uid",
            {"rows": json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=_times())},
        )
        return {(device_id, uid) for device_id, uid in stored}

    def neighbours(
        self, refs: set[str], start: datetime, end: datetime, devices: set[int]
    ) -> Sequence[Any]:
        """Among the scans of these permits between ``start`` and ``end``, in the order of
        (time, device, event id) per permit: each scan that follows another at another
        checkpoint, where either of the two is by one of ``devices``. Each as (permit; the
        earlier scan's time, device, event id, checkpoint; the later one's). Each time is as
        the database keeps it (on SQLite without its offset, UTC), for comparing these times
        with each other only."""
        if not refs:
            return []
        if self.session.get_bind().dialect.name != "postgresql":
            # SQLite's window functions sort and step through every row far slower than
            # Python pairs the rows of the one index it reads.
            return _neighbours(self._sightings(refs, start, end), devices)
        # One statement built once (its text, from SQLAlchemy's cache, never changes): building
        # it again for every look cost the hub more than the server spent answering it.
        found = self.session.execute(
            _pairs_statement(),
            {"refs": sorted(refs), "devices": sorted(devices), "start": start, "end": end},
        )
        return found.all()

    def _sightings(self, refs: set[str], start: datetime, end: datetime) -> Sequence[Any]:
        """On SQLite, scans of these permits between ``start`` and ``end``: (ref, device,
        event id, checkpoint, at), from the covering index alone; each time as the text
        SQLite keeps."""
        scans = cast(Table, ScanEventRecord.__table__).c
        return self.session.execute(
            select(
                scans.permit_ref,
                scans.device_id,
                scans.event_uid,
                scans.checkpoint_id,
                type_coerce(scans.scanned_at, String()),
            ).where(scans.permit_ref.in_(refs), scans.scanned_at.between(start, end))
        ).all()

    def mark_clones(
        self, scans: Collection[tuple[int, str]]
    ) -> list[tuple[int, str, datetime, int]]:
        """Flag these scans, each named by (device id, event id), as suspected clones; the ones
        not flagged yet, as (device id, event id, scanned at, checkpoint id). One UPDATE, so of
        two transactions flagging a scan at once only one gets it back."""
        if not scans:
            return []
        table = cast(Table, ScanEventRecord.__table__)
        named: ColumnElement[bool] = tuple_(table.c.device_id, table.c.event_uid).in_(list(scans))
        if self.session.get_bind().dialect.name == "sqlite":
            # SQLite reads ``(a, b) IN (VALUES …)`` by walking the whole table (or, as a
            # subquery, every scan of the device); joined to the list, each pair is one look in
            # the unique index.
            wanted = (
                values(column("device_id", Integer), column("event_uid", String), name="wanted")
                .data(list(scans))
                .cte("wanted")
            )
            named = table.c.id.in_(
                select(table.c.id).join(
                    wanted,
                    and_(
                        table.c.device_id == wanted.c.device_id,
                        table.c.event_uid == wanted.c.event_uid,
                    ),
                )
            )
        flagged = self.session.execute(
            update(table)
            .where(named, table.c.clone_suspected.is_(False))
            .values(clone_suspected=True)
            .returning(
                table.c.device_id, table.c.event_uid, table.c.scanned_at, table.c.checkpoint_id
            )
        )
        return [
            (device_id, uid, ensure_utc(at), checkpoint_id)
            for device_id, uid, at, checkpoint_id in flagged
        ]

    def witness_report_of(
        self, device_id: int, code: str, held_root: bytes, seen_root: bytes
    ) -> WitnessReportRecord | None:
        return self.session.scalars(
            select(WitnessReportRecord).where(
                WitnessReportRecord.device_id == device_id,
                WitnessReportRecord.code == code,
                WitnessReportRecord.held_root == held_root,
                WitnessReportRecord.seen_root == seen_root,
            )
        ).first()

    def witness_reports(self, *, limit: int, offset: int) -> Sequence[WitnessReportRecord]:
        return self.session.scalars(
            select(WitnessReportRecord)
            .order_by(WitnessReportRecord.reported_at.desc(), WitnessReportRecord.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()

    def events_of(self, permit_ref: str) -> Sequence[ScanEventRecord]:
        return self.session.scalars(
            select(ScanEventRecord)
            .where(ScanEventRecord.permit_ref == permit_ref)
            .order_by(ScanEventRecord.scanned_at)
        ).all()

    def visible_scans(
        self,
        sight: ScanSight,
        *,
        scan_id: int | None = None,
        checkpoint: str | None = None,
        permit: str | None = None,
        contradiction: bool | None = None,
        clone_suspected: bool | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Sequence[tuple[ScanEventRecord, str]]:
        """Scans ``sight`` allows, with their checkpoint's code, newest first."""
        query = select(ScanEventRecord, CheckpointRecord.code).join(
            CheckpointRecord, CheckpointRecord.id == ScanEventRecord.checkpoint_id
        )
        if (seen := sight_condition(sight)) is not None:
            query = query.where(seen)
        if scan_id is not None:
            query = query.where(ScanEventRecord.id == scan_id)
        if checkpoint is not None:
            query = query.where(CheckpointRecord.code == checkpoint)
        if permit is not None:
            query = query.where(ScanEventRecord.permit_ref == permit)
        if contradiction is not None:
            query = query.where(ScanEventRecord.contradiction == contradiction)
        if clone_suspected is not None:
            query = query.where(ScanEventRecord.clone_suspected == clone_suspected)
        query = query.order_by(ScanEventRecord.scanned_at.desc(), ScanEventRecord.id.desc())
        rows = self.session.execute(query.limit(limit).offset(offset)).all()
        return [(record, code) for record, code in rows]


def _syncing_devices() -> Select[Any]:
    # Plain rows of the table's columns: the busiest look of the hub (one per group of pushes)
    # needs five facts of each device, not a mapped object built and tracked.
    devices = cast(Table, DeviceRecord.__table__).c
    return select(
        devices.id,
        devices.checkpoint_id,
        devices.token_hash,
        devices.revoked_at,
        devices.last_sync_at,
    )


@functools.cache
def _devices_by_token_hashes() -> Select[Any]:
    """On PostgreSQL, :meth:`CheckpointRepository.devices_by_token_hashes`' look, built once,
    with the hashes as one array parameter (``hashes``)."""
    devices = cast(Table, DeviceRecord.__table__).c
    hashes = bindparam("hashes", type_=ARRAY(devices.token_hash.type))
    return _syncing_devices().where(devices.token_hash == any_(hashes))


@functools.cache
def _pairs_statement() -> Select[Any]:
    """On PostgreSQL, the look of :meth:`CheckpointRepository.neighbours`, with the permits
    (``refs``), the devices (``devices``) and the window (``start``, ``end``) as parameters."""
    # The table's columns, not the mapped class's: plain rows, without the ORM's loading;
    # and the time without the UTC column type's conversion (a Python call per row, when
    # only the order and the gaps between these times are wanted).
    scans = cast(Table, ScanEventRecord.__table__).c
    # A sync's group names a thousand permits or more: as one array, not as a parameter
    # each (which SQLAlchemy, then psycopg, write out and parse each time). The times go
    # in the text, so the server plans each look with its own window and never settles on
    # a generic plan (which, not knowing the window, can walk the whole of the time index
    # instead of this permit index).
    among = scans.permit_ref == any_(bindparam("refs", type_=ARRAY(scans.permit_ref.type)))
    window = scans.scanned_at.between(
        bindparam("start", type_=scans.scanned_at.type, literal_execute=True),
        bindparam("end", type_=scans.scanned_at.type, literal_execute=True),
    )
    ours = scans.device_id == any_(bindparam("devices", type_=ARRAY(scans.device_id.type)))
    uid = scans.event_uid.collate("C")  # ids in the order Python puts them
    at = type_coerce(scans.scanned_at, DateTime())

    def before(value: ColumnElement[Any]) -> ColumnElement[Any]:
        earlier = func.lag(value).over(
            partition_by=scans.permit_ref, order_by=(scans.scanned_at, scans.device_id, uid)
        )
        return type_coerce(earlier, value.type)

    # The filter on the pairs goes around the look: a window function sees only the rows
    # its own query keeps.
    pairs = (
        select(
            scans.permit_ref.label("ref"),
            before(at).label("before_at"),
            before(scans.device_id).label("before_device"),
            before(scans.event_uid).label("before_uid"),
            before(scans.checkpoint_id).label("before_checkpoint"),
            at.label("at"),
            scans.device_id.label("device"),
            scans.event_uid.label("uid"),
            scans.checkpoint_id.label("checkpoint"),
            ours.label("ours"),
            before(ours).label("before_ours"),
        )
        .where(among, window)
        .subquery()
    )
    return select(
        pairs.c.ref,
        pairs.c.before_at,
        pairs.c.before_device,
        pairs.c.before_uid,
        pairs.c.before_checkpoint,
        pairs.c.at,
        pairs.c.device,
        pairs.c.uid,
        pairs.c.checkpoint,
    ).where(
        pairs.c.checkpoint != pairs.c.before_checkpoint,
        or_(pairs.c.ours, pairs.c.before_ours),
    )


def _neighbours(sightings: Iterable[Any], devices: set[int]) -> list[tuple[Any, ...]]:
    """:meth:`CheckpointRepository.neighbours` from the permits' sightings on SQLite, paired
    here. Each time comes as SQLite keeps it, text of one fixed width (as SQLAlchemy writes a
    time), which sorts as the times do; only the times of the pairs found are read."""
    by_permit: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for ref, device_id, uid, checkpoint_id, at in sightings:
        by_permit[ref].append((at, device_id, uid, checkpoint_id))
    found: list[tuple[Any, ...]] = []
    read = functools.cache(_stored_time)
    for ref, scans in by_permit.items():
        if len(scans) < 2:
            continue
        scans.sort()
        for before, after in itertools.pairwise(scans):
            if before[3] != after[3] and (before[1] in devices or after[1] in devices):
                found.append((ref, read(before[0]), *before[1:], read(after[0]), *after[1:]))
    return found


def _stored_time(text: str) -> datetime:
    """A time as SQLite keeps it (UTC, without its offset), read as SQLAlchemy reads it."""
    return datetime.fromisoformat(text)


def _sqlite_bind(kind: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column's bind processor on SQLite, cheaper per value where that costs the most: a
    UTC time is written as SQLAlchemy writes it (``2026-06-01 08:00:00.000000``) without its
    general path; any other value goes that path. A value the same object as the one before
    (every row's ``received_at``, an action, a flag) is converted once."""
    bind = kind.dialect_impl(dialect).bind_processor(dialect)
    if bind is None:
        return None
    general = bind
    if isinstance(kind, UTCDateTime):

        def utc_text(value: Any) -> Any:
            if isinstance(value, datetime) and value.tzinfo is UTC:
                return value.replace(tzinfo=None).isoformat(" ", "microseconds")
            return general(value)

        bind = utc_text
    return _remembering(bind)


def _remembering(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert``, run once for a value that is the same object as the one before (the time
    every row shares, an action, a flag): rows in a batch repeat them one after another."""
    last: list[Any] = [_NOTHING, None]

    def remembered(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return remembered


_NOTHING = object()


def sight_condition(sight: ScanSight) -> ColumnElement[bool] | None:
    """The scans ``sight`` lets its reader see, as a condition on scans joined with their
    checkpoint (None: every scan): an authority's own checkpoints, the flagged ones for an
    overseer, nothing otherwise."""
    if sight.everything:
        return None
    visible: list[ColumnElement[bool]] = []
    if sight.authority_id is not None:
        visible.append(CheckpointRecord.authority_id == sight.authority_id)
    if sight.flagged:
        visible.append(or_(ScanEventRecord.contradiction, ScanEventRecord.clone_suspected))
    return or_(*visible) if visible else false()


def _times() -> Callable[[datetime], str]:
    """A time for the JSON of many rows: one already in datetime's own UTC written as it is,
    and the time every row shares (when they were received) written once."""

    def iso(moment: datetime) -> str:
        return (moment if moment.tzinfo is UTC else ensure_utc(moment)).isoformat()

    return _remembering(iso)
