"""The accountability figures on a year of data, and the ledger's cost on the write it records.

figures: a temporary SQLite file holds the demo town and a year of its life, inserted in bulk
(1,000,000 applications by default): 1.4 reviews an application (the bridge needs both
authorities), 95% decided after a log-normal delay (median 3 h), one in five refused with a
coded reason, late ones flagged overdue, one refusal in ten appealed, a permit for each
application every authority approved (1% revoked), one or two scans a permit at the
checkpoints of its authorities (passages, refusals, overrides, contradictions, clones).
Then the dashboard's reads are timed through the service the dashboard calls
(``accountability.service.figures`` and ``cases``), in a read-only unit of work as a page
request opens it: the last 30 days (the dashboard's default) for the municipality and for an
authority, the last quarter, the whole year, and the first page of cases behind a figure.
``result: figures_p99_ms`` is the p99 over all of those samples (bar: 200 ms).

ledger: a fresh demo hub; applications submitted through ``clearances.service
.submit_application`` in a unit of work each (as the API does: route, reviews, jobs, notices,
commit), in alternating blocks with ``ledger.service.record_entry`` as it is and replaced by a
function that records nothing. ``result: ledger_overhead_pct`` is the difference of the
medians as a share of the median without the ledger (bar: 10).

    .venv/bin/python bench/figures.py [--applications N] [--runs N] [--submits N] [--no-write]
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy.orm import Session, sessionmaker

from report import Tee, start, write_section
from route import percentile
from tansiq.accountability import service as figures_service
from tansiq.accountability.domain import Figure, Period
from tansiq.clearances.reasons import ReasonCode
from tansiq.core.clock import FixedClock
from tansiq.db.engine import make_engine
from tansiq.db.migrate import upgrade
from tansiq.db.unit_of_work import unit_of_work
from tansiq.demo.service import load_demo
from tansiq.parties.domain import Principal
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import principal_of
from tansiq.tallies.domain import Tally, decision_bucket
from tansiq.tallies.service import key

NOW = datetime(2026, 12, 1, 6, tzinfo=UTC)
YEAR = timedelta(days=365)
BAR_MS = 200.0
BAR_PCT = 10.0
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a datetime in SQLite
CHUNK = 20_000


def _t(moment: datetime) -> str:
    return moment.replace(tzinfo=None).strftime(STAMP)


@dataclass
class Expected:
    """What the generator inserted, by figure, for the whole year (checked by the tests)."""

    received: Counter[str] = field(default_factory=Counter)
    decided: Counter[str] = field(default_factory=Counter)
    approved: Counter[str] = field(default_factory=Counter)
    overdue: Counter[str] = field(default_factory=Counter)
    appealed: Counter[str] = field(default_factory=Counter)
    revoked: Counter[str] = field(default_factory=Counter)
    passages: int = 0
    refusals: int = 0
    overrides: int = 0
    contradictions: int = 0
    clones: int = 0
    rows: int = 0
    # What the services would have tallied, row by row, as they recorded each event.
    tallies: Counter[tuple[date, str, int, int, str, int]] = field(default_factory=Counter)

    def tally(self, figure: Tally, at: datetime, **where: Any) -> None:
        self.tallies[key(figure, at, **where)] += 1


@dataclass(frozen=True)
class Town:
    """The demo town's ids that the rows refer to."""

    trader_party: int
    trader_user: int
    authorities: dict[str, int]  # code -> party id
    reviewers: dict[int, int]  # authority id -> a reviewer's user id
    checkpoints: dict[int, list[tuple[int, int]]]  # authority id -> [(checkpoint id, device id)]


def town(connection: sqlite3.Connection) -> Town:
    parties = dict(connection.execute("SELECT code, id FROM parties"))
    users = dict(connection.execute("SELECT username, id FROM users"))
    authorities = {code: parties[code] for code in ("west-command", "east-force")}
    reviewers = {
        authorities["west-command"]: users["west.reviewer"],
        authorities["east-force"]: users["east.reviewer"],
    }
    checkpoints: dict[int, list[tuple[int, int]]] = {}
    stamp = _t(NOW - YEAR - timedelta(days=1))
    for checkpoint_id, authority_id in connection.execute(
        "SELECT id, authority_id FROM checkpoints ORDER BY id"
    ):
        cursor = connection.execute(
            "INSERT INTO checkpoint_devices (checkpoint_id, name, token_hash, created_at, "
            "created_by) VALUES (?, ?, ?, ?, ?)",
            (checkpoint_id, "bench", uuid.uuid4().hex * 2, stamp, users["admin"]),
        )
        checkpoints.setdefault(authority_id, []).append((checkpoint_id, int(cursor.lastrowid or 0)))
    return Town(
        trader_party=parties["wadi-transport"],
        trader_user=users["trader"],
        authorities=authorities,
        reviewers=reviewers,
        checkpoints=checkpoints,
    )


class Rows:
    """Rows to insert, by table, flushed in chunks."""

    COLUMNS: ClassVar[dict[str, str]] = {
        "applications": (
            "id, applicant_party_id, applicant_user_id, client_reference, status, "
            "current_version, valid_from, valid_until, created_at, updated_at"
        ),
        "reviews": (
            "id, application_id, authority_id, status, round, opened_at, deadline, "
            "reminded_at, overdue_at, is_appeal, required_by, decision, reason_code, note, "
            "conditions, decided_by, decided_at, lock_version"
        ),
        "review_decisions": (
            "review_id, round, application_version, decision, reason_code, note, conditions, "
            "decided_by, decided_at"
        ),
        "appeals": ("application_id, review_id, grounds, opened_by, opened_at, closed_at, outcome"),
        "permits": (
            "application_id, version, application_version, status, issued_at, valid_from, "
            "valid_until, authority_ids, conditions, status_changed_at, status_changed_by, "
            "status_reason_code, status_note"
        ),
        "scan_events": (
            "event_uid, device_id, checkpoint_id, scanned_at, received_at, permit_ref, "
            "permit_version, verdict, action, reason_code, note, officer, data_age_seconds, "
            "contradiction, clone_suspected"
        ),
    }

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.waiting: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self.COLUMNS}
        self.count = 0

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        waiting = self.waiting[table]
        waiting.append(row)
        if len(waiting) >= CHUNK:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.COLUMNS):
            rows = self.waiting[name]
            if not rows:
                continue
            columns = self.COLUMNS[name]
            marks = ", ".join("?" * len(columns.split(",")))
            self.connection.executemany(
                f"INSERT INTO {name} ({columns}) VALUES ({marks})",  # noqa: S608 - our names
                rows,
            )
            self.count += len(rows)
            rows.clear()


REASONS = [code.value for code in ReasonCode if code not in (ReasonCode.OTHER,)]
REFUSALS_AT_CHECKPOINT = ["permit_expired", "off_route", "cargo_mismatch", "permit_revoked"]
OVERRIDES = ["supervisor_order", "confirmed_with_hub", "humanitarian_emergency"]


def generate(connection: sqlite3.Connection, count: int, rng: random.Random) -> Expected:
    """A year of the town's life, ``count`` applications, straight into the tables."""
    place = town(connection)
    west, east = place.authorities["west-command"], place.authorities["east-force"]
    expected = Expected()
    rows = Rows(connection)
    first = NOW - YEAR
    step = YEAR.total_seconds() / count
    review_id = 0
    random_ = rng.random
    for index in range(count):
        application_id = index + 1
        created = first + timedelta(seconds=(index + random_()) * step)
        pick = random_()
        deciders = [west, east] if pick < 0.4 else [west] if pick < 0.7 else [east]
        statuses: list[str] = []
        decided_at: list[datetime] = []
        refused_reviews: list[tuple[int, int, datetime]] = []
        for authority in deciders:
            review_id += 1
            expected.received[str(authority)] += 1
            expected.tally(Tally.RECEIVED, created, party=authority)
            deadline = created + timedelta(hours=24)
            delay = timedelta(hours=min(24 * 14, rng.lognormvariate(math.log(3), 1.0)))
            decided = created + delay if random_() < 0.95 else None
            if decided is not None and decided > NOW:
                decided = None
            overdue = (
                deadline if (decided is None or decided > deadline) and deadline < NOW else None
            )
            if overdue is not None:
                expected.overdue[str(authority)] += 1
                expected.tally(Tally.OVERDUE, overdue, party=authority)
            decision = reason = None
            status = "pending"
            if decided is not None:
                expected.decided[str(authority)] += 1
                if random_() < 0.8:
                    decision, status = "approve", "approved"
                    expected.approved[str(authority)] += 1
                else:
                    decision, status, reason = "reject", "rejected", rng.choice(REASONS)
                    refused_reviews.append((review_id, authority, decided))
                expected.tally(Tally.DECIDED, decided, party=authority)
                if reason is None:
                    expected.tally(Tally.APPROVED, decided, party=authority)
                else:
                    expected.tally(Tally.REFUSED, decided, party=authority, reason=reason)
                bucket = decision_bucket(delay.total_seconds())
                expected.tally(Tally.DECISION_TIME, decided, party=authority, bucket=bucket)
                rows.add(
                    "review_decisions",
                    (
                        review_id,
                        1,
                        1,
                        decision,
                        reason,
                        "",
                        "[]",
                        place.reviewers[authority],
                        _t(decided),
                    ),
                )
                decided_at.append(decided)
            statuses.append(status)
            rows.add(
                "reviews",
                (
                    review_id, application_id, authority, status, 1, _t(created), _t(deadline),
                    None, None if overdue is None else _t(overdue), False, "{}", decision,
                    reason, "", "[]", None if decided is None else place.reviewers[authority],
                    None if decided is None else _t(decided), 2 if decided else 1,
                ),
            )  # fmt: skip
        for review, authority, refused_at in refused_reviews:
            opened = refused_at + timedelta(hours=1)
            if random_() < 0.1 and opened < NOW:
                outcome = rng.choice(["upheld", "overturned", None])
                expected.appealed[str(authority)] += 1
                expected.tally(Tally.APPEALED, opened, party=authority, reason=outcome or "open")
                closed = None if outcome is None else _t(opened + timedelta(hours=6))
                rows.add(
                    "appeals",
                    (
                        application_id,
                        review,
                        "Grounds",
                        place.trader_user,
                        _t(opened),
                        closed,
                        outcome,
                    ),
                )
        if "rejected" in statuses:
            status = "rejected"
        elif all(s == "approved" for s in statuses):
            status = "approved"
        else:
            status = "in_review"
        valid_from, valid_until = created + timedelta(hours=1), created + timedelta(days=3)
        rows.add(
            "applications",
            (
                application_id, place.trader_party, place.trader_user, f"B-{application_id}",
                status, 1, _t(valid_from), _t(valid_until), _t(created), _t(created),
            ),
        )  # fmt: skip
        if status == "approved":
            issued = max(decided_at)
            _permit(rows, rng, expected, place, application_id, deciders, issued)
    rows.flush()
    connection.executemany(
        "INSERT INTO figure_tallies (day, figure, party_id, checkpoint_id, reason, bucket, count) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(day.isoformat(), *rest, n) for (day, *rest), n in expected.tallies.items()],
    )
    connection.commit()
    expected.rows = rows.count + len(expected.tallies)
    return expected


def _permit(
    rows: Rows,
    rng: random.Random,
    expected: Expected,
    place: Town,
    application_id: int,
    deciders: list[int],
    issued: datetime,
) -> None:
    revoked_at = issued + timedelta(hours=rng.uniform(1, 72))
    revoked = rng.random() < 0.01 and revoked_at < NOW
    by = rng.choice(deciders)
    reason = rng.choice(REASONS) if revoked else None
    if revoked:
        expected.revoked[str(by)] += 1
        expected.tally(Tally.REVOKED, revoked_at, party=by, reason=reason)
    rows.add(
        "permits",
        (
            application_id, 1, 1, "revoked" if revoked else "valid", _t(issued),
            _t(issued), _t(issued + timedelta(days=3)), str(deciders).replace(" ", ""), "[]",
            _t(revoked_at) if revoked else None, place.reviewers[by] if revoked else None,
            reason, "",
        ),
    )  # fmt: skip
    for _ in range(rng.choice((1, 1, 2))):
        authority = rng.choice(deciders)
        checkpoint, device = rng.choice(place.checkpoints[authority])
        scanned = issued + timedelta(hours=rng.uniform(1, 48))
        if scanned >= NOW:
            continue
        roll = rng.random()
        reason, action = None, "passage"
        if roll < 0.04:
            action, reason = "refusal", rng.choice(REFUSALS_AT_CHECKPOINT)
            expected.refusals += 1
        elif roll < 0.05:
            action, reason = "override", rng.choice(OVERRIDES)
            expected.overrides += 1
        else:
            expected.passages += 1
        contradiction = action == "refusal" and authority in deciders and reason != "permit_revoked"
        clone = rng.random() < 0.001
        expected.contradictions += contradiction
        expected.clones += clone
        figure = {"passage": Tally.PASSAGES, "refusal": Tally.REFUSALS}.get(action, Tally.OVERRIDES)
        expected.tally(figure, scanned, checkpoint=checkpoint, reason=reason)
        if contradiction:
            expected.tally(Tally.CONTRADICTIONS, scanned, checkpoint=checkpoint)
        if clone:
            expected.tally(Tally.CLONES, scanned, checkpoint=checkpoint)
        rows.add(
            "scan_events",
            (
                uuid.uuid4().hex, device, checkpoint, _t(scanned), _t(scanned),
                f"P-{application_id:06d}", 1, "valid", action, reason, "", "", 60,
                contradiction, clone,
            ),
        )  # fmt: skip


def build(path: Path, count: int, seed: int) -> tuple[str, Expected, float]:
    """A migrated database at ``path`` with the demo town and ``count`` applications; its URL,
    what was inserted, and the seconds the bulk insert took."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_demo(session, FixedClock(NOW - YEAR - timedelta(days=2)))
        session.commit()
    engine.dispose()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    began = time.perf_counter()
    expected = generate(connection, count, random.Random(seed))
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()
    return url, expected, time.perf_counter() - began


def principals(sessions: sessionmaker[Session]) -> dict[str, Principal]:
    with unit_of_work(sessions, write=False) as session:
        repo = PartyRepository(session)
        found = {}
        for name in ("municipality", "west.reviewer", "admin"):
            user = repo.user_by_username(name)
            assert user is not None, name  # noqa: S101 - the demo town has them
            found[name] = principal_of(user)
        return found


View = tuple[str, Callable[[Session], Any]]


def views(who: dict[str, Principal]) -> list[View]:
    today = NOW.date()
    month = Period.of(None, today, today)
    quarter = Period(today - timedelta(days=89), today)
    year = Period(today - timedelta(days=364), today)
    municipality, west, admin = who["municipality"], who["west.reviewer"], who["admin"]

    def dashboard(principal: Principal, period: Period) -> Callable[[Session], Any]:
        return lambda session: figures_service.figures(session, principal, period)

    def cases(principal: Principal, figure: Figure, **where: Any) -> Callable[[Session], Any]:
        return lambda session: figures_service.cases(
            session, principal, figure, month, limit=51, **where
        )

    return [
        ("dashboard, 30 days, municipality", dashboard(municipality, month)),
        ("dashboard, 30 days, an authority", dashboard(west, month)),
        ("dashboard, 90 days, municipality", dashboard(municipality, quarter)),
        ("dashboard, 365 days, municipality", dashboard(municipality, year)),
        ("cases: refusals of an authority", cases(admin, Figure.REFUSED, authority="east-force")),
        ("cases: received, as the municipality", cases(municipality, Figure.RECEIVED)),
        ("cases: passages at a checkpoint", cases(west, Figure.PASSAGES, checkpoint="W-GATE")),
    ]


def measure(url: str, runs: int, out: Tee) -> list[float]:
    engine = make_engine(url)
    sessions = sessionmaker(engine)
    every: list[float] = []
    try:
        who = principals(sessions)
        out(f"{'read':<40} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for name, read in views(who):
            samples = []
            for run in range(runs + 2):
                began = time.perf_counter()
                with unit_of_work(sessions, write=False) as session:
                    read(session)
                if run >= 2:  # the first two warm the page cache and statement caches
                    samples.append((time.perf_counter() - began) * 1000)
            every.extend(samples)
            out(
                f"{name:<40} {statistics.median(samples):8.1f} "
                f"{percentile(samples, 0.99):8.1f} {max(samples):8.1f}"
            )
    finally:
        engine.dispose()
    return every


def check(url: str, expected: Expected) -> None:
    """The service's totals over the whole year equal what was inserted (not timed)."""
    engine = make_engine(url)
    try:
        sessions = sessionmaker(engine)
        who = principals(sessions)
        period = Period((NOW - YEAR).date(), NOW.date())
        with unit_of_work(sessions, write=False) as session:
            found = figures_service.figures(session, who["admin"], period)
    finally:
        engine.dispose()
    totals, places = found.totals, found.checkpoint_totals
    got = (
        totals.received, totals.decided, totals.approved, totals.overdue,
        totals.count(Figure.APPEALED), totals.count(Figure.REVOKED), places.passages,
        places.count(Figure.REFUSALS), places.count(Figure.OVERRIDES), places.contradictions,
        places.clones,
    )  # fmt: skip
    wanted = (
        sum(expected.received.values()), sum(expected.decided.values()),
        sum(expected.approved.values()), sum(expected.overdue.values()),
        sum(expected.appealed.values()), sum(expected.revoked.values()), expected.passages,
        expected.refusals, expected.overrides, expected.contradictions, expected.clones,
    )  # fmt: skip
    if got != wanted:
        raise SystemExit(f"figures differ from what was inserted: {got} != {wanted}")
    # And the tallies agree with the records themselves, counted one by one.
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        counted = tuple(
            connection.execute(sql).fetchone()[0]
            for sql in (
                "SELECT count(*) FROM reviews",
                "SELECT count(*) FROM review_decisions",
                "SELECT count(*) FROM reviews WHERE overdue_at IS NOT NULL",
                "SELECT count(*) FROM scan_events WHERE action = 'passage'",
            )
        )
    finally:
        connection.close()
    if counted != (totals.received, totals.decided, totals.overdue, places.passages):
        raise SystemExit(f"tallies differ from the records: {counted}")


# -- the ledger's share of a write ------------------------------------------------------------


def _ledgered_modules() -> Iterator[Any]:
    """Every loaded module that calls the ledger's ``record_entry`` by name."""
    from tansiq.ledger import service as ledger

    for name, module in list(sys.modules.items()):
        if (
            name.startswith("tansiq.")
            and getattr(module, "record_entry", None) is ledger.record_entry
        ):
            yield module


def ledger_overhead(submits: int, out: Tee) -> float:
    import load
    from tansiq.clearances import service as clearances
    from tansiq.clearances.schemas import ApplicationIn
    from tansiq.geo.service import SpatialIndexCache
    from tansiq.ledger import service as ledger
    from tansiq.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/ledger.db")
        upgrade(engine)
        clock = FixedClock(NOW)
        with Session(engine) as session:
            load_demo(session, clock)
            session.commit()
        sessions = sessionmaker(engine)
        settings = Settings(database_url="sqlite://", secret_key="bench-secret-" + "x" * 40)
        env = clearances.ClearanceEnv.of(settings, clock, SpatialIndexCache())
        trader = principals_of(sessions, "trader")
        rng = random.Random(5)
        bodies = [ApplicationIn.model_validate(load.application(i, rng)) for i in range(submits)]
        modules = list(_ledgered_modules())

        def nothing(*_args: Any, **_kwargs: Any) -> None:
            return None

        def submit(body: ApplicationIn) -> float:
            began = time.perf_counter()
            with unit_of_work(sessions) as session:
                clearances.submit_application(session, trader, body, env)
            return (time.perf_counter() - began) * 1000

        for body in bodies[:20]:  # warm: spatial index, statement caches
            submit(body)
        timed: dict[bool, list[float]] = {True: [], False: []}
        block = 20
        for start_at in range(20, submits, block):
            with_ledger = (start_at // block) % 2 == 0
            for module in modules:
                module.record_entry = ledger.record_entry if with_ledger else nothing
            timed[with_ledger].extend(submit(b) for b in bodies[start_at : start_at + block])
        for module in modules:
            module.record_entry = ledger.record_entry
        engine.dispose()
    on, off = statistics.median(timed[True]), statistics.median(timed[False])
    out(
        f"submit an application (route, reviews, jobs, notices, commit), "
        f"{len(timed[True])} with and {len(timed[False])} without the ledger, in alternating "
        f"blocks of {block}:"
    )
    out(f"  median with the ledger {on:.2f} ms, without {off:.2f} ms")
    return (on - off) / off * 100


def principals_of(sessions: sessionmaker[Session], username: str) -> Principal:
    with unit_of_work(sessions, write=False) as session:
        user = PartyRepository(session).user_by_username(username)
        assert user is not None  # noqa: S101 - the demo town has it
        return principal_of(user)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="timed reads of each kind")
    parser.add_argument("--submits", type=int, default=420, help="applications submitted")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    machine = start()
    out = Tee()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "figures.db"
        url, expected, seconds = build(path, args.applications, args.seed)
        size_mb = path.stat().st_size / 1e6
        out(
            f"{args.applications:,} applications over a year: {expected.rows:,} rows inserted "
            f"in {seconds:.1f} s ({size_mb:.0f} MB SQLite file)"
        )
        check(url, expected)
        out("the year's totals through the service equal the rows inserted")
        samples = measure(url, args.runs, out)
    overhead = ledger_overhead(args.submits, out)
    machine.finish()
    p99 = percentile(samples, 0.99)
    out(f"result: figures_p99_ms = {p99:.1f}")
    out(f"result: ledger_overhead_pct = {overhead:.1f}")
    if not args.no_write:
        write_section("figures", "Accountability figures and the ledger's cost", machine, out.lines)
    return 0 if p99 <= BAR_MS and overhead <= BAR_PCT else 1


if __name__ == "__main__":
    sys.exit(main())
