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
commit), in turn with ``ledger.service.record_entry`` as it is and replaced by a function that
records nothing. ``result: ledger_overhead_pct`` is the median difference within a pair as a
share of the median submission without the ledger (bar: 10); pairs, because on a shared
machine the load moves more between blocks than the ledger costs.

    .venv/bin/python bench/figures.py [--applications N] [--runs N] [--submits N] [--no-write]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
from tansiq.tallies.domain import DECISION_TIME_EDGES, LAST_BUCKET

NOW = datetime(2026, 12, 1, 6, tzinfo=UTC)
YEAR = timedelta(days=365)
BAR_MS = 200.0
BAR_PCT = 10.0
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a datetime in SQLite
CHUNK = 20_000


def _t(moment: datetime) -> str:
    return moment.replace(tzinfo=None).strftime(STAMP)


REASONS = [code.value for code in ReasonCode if code is not ReasonCode.OTHER]
REFUSALS_AT_CHECKPOINT = ["permit_expired", "off_route", "cargo_mismatch", "permit_revoked"]
OVERRIDES = ["supervisor_order", "confirmed_with_hub", "humanitarian_emergency"]


def _pick(options: list[str], roll: str) -> str:
    """SQL choosing one of ``options`` by the integer expression ``roll``."""
    cases = " ".join(f"WHEN {i} THEN '{o}'" for i, o in enumerate(options))
    return f"CASE ({roll}) % {len(options)} {cases} END"


def _bucket(minutes: str) -> str:
    """SQL for ``tallies.domain.decision_bucket`` of a time in minutes."""
    cases = " ".join(
        f"WHEN {minutes} <= {edge} THEN {i}" for i, edge in enumerate(DECISION_TIME_EDGES)
    )
    return f"CASE {cases} ELSE {LAST_BUCKET} END"


U = "(abs(random()) % 1000000 / 1000000.0)"  # uniform in [0, 1), fresh at each use
TS = "(strftime('%Y-%m-%d %H:%M:%f', {0}) || '000')"  # a julian day as SQLAlchemy stores it


def _ts(expression: str) -> str:
    return TS.format(expression)


def generate(connection: sqlite3.Connection, count: int) -> None:
    """A year of the town's life, ``count`` applications, made by SQLite itself (a million
    applications in well under a minute, where Python row by row took ten), with the tallies
    the services would have kept, computed from the rows."""
    ids = dict(connection.execute("SELECT code, id FROM parties"))
    users = dict(connection.execute("SELECT username, id FROM users"))
    west, east = ids["west-command"], ids["east-force"]
    reviewer = (
        f"CASE authority WHEN {west} THEN {users['west.reviewer']} "
        f"ELSE {users['east.reviewer']} END"
    )
    start, now = f"julianday('{_t(NOW - YEAR)}')", f"julianday('{_t(NOW)}')"
    stamp = _t(NOW - YEAR - timedelta(days=1))
    for checkpoint_id in [row[0] for row in connection.execute("SELECT id FROM checkpoints")]:
        connection.execute(
            "INSERT INTO checkpoint_devices (checkpoint_id, name, token_hash, created_at, "
            "created_by) VALUES (?, 'bench', ?, ?, ?)",
            (checkpoint_id, uuid.uuid4().hex * 2, stamp, users["admin"]),
        )
    run = connection.executescript
    # Only our own numbers and names go into this script.
    run(f"""
    CREATE TEMP TABLE places AS
      SELECT c.authority_id AS authority, c.id AS checkpoint, d.id AS device,
             row_number() OVER (PARTITION BY c.authority_id ORDER BY c.id) - 1 AS k
      FROM checkpoints c JOIN checkpoint_devices d ON d.checkpoint_id = c.id;
    CREATE TEMP TABLE apps AS
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
      SELECT i, {start} + (i - 0.5) * 365.0 / {count} AS made FROM n;
    INSERT INTO applications (id, applicant_party_id, applicant_user_id, client_reference,
        status, current_version, valid_from, valid_until, created_at, updated_at)
      SELECT i, {ids["wadi-transport"]}, {users["trader"]}, 'B-' || i, 'in_review', 1,
             {_ts("made + 1 / 24.0")}, {_ts("made + 3")}, {_ts("made")}, {_ts("made")} FROM apps;
    CREATE TEMP TABLE rv AS
      SELECT row_number() OVER (ORDER BY i, authority) AS id, i AS app, authority, made,
             40.0 * u * u * u / 24.0 AS delay, d < 0.95 AS decided, ok < 0.8 AS approve,
             abs(random()) AS roll, appeal < 0.1 AS appealed
      FROM (SELECT i, made, {west} AS authority, {U} AS u, {U} AS d, {U} AS ok, {U} AS appeal
              FROM apps WHERE i % 10 < 7
            UNION ALL
            SELECT i, made, {east}, {U}, {U}, {U}, {U} FROM apps WHERE i % 10 < 4 OR i % 10 >= 7);
    UPDATE rv SET decided = 0 WHERE made + delay >= {now};
    INSERT INTO reviews (id, application_id, authority_id, status, round, opened_at, deadline,
        reminded_at, overdue_at, is_appeal, required_by, decision, reason_code, note,
        conditions, decided_by, decided_at, lock_version)
      SELECT id, app, authority,
             CASE WHEN NOT decided THEN 'pending' WHEN approve THEN 'approved' ELSE 'rejected' END,
             1, {_ts("made")}, {_ts("made + 1")}, NULL,
             CASE WHEN (NOT decided OR delay > 1) AND made + 1 < {now}
                  THEN {_ts("made + 1")} END,
             0, '{{}}',
             CASE WHEN decided THEN CASE WHEN approve THEN 'approve' ELSE 'reject' END END,
             CASE WHEN decided AND NOT approve THEN {_pick(REASONS, "roll")} END, '', '[]',
             CASE WHEN decided THEN {reviewer} END,
             CASE WHEN decided THEN {_ts("made + delay")} END, 1 + decided
      FROM rv;
    INSERT INTO review_decisions (review_id, round, application_version, decision,
        reason_code, note, conditions, decided_by, decided_at)
      SELECT id, 1, 1, decision, reason_code, '', '[]', decided_by, decided_at
      FROM reviews WHERE decided_at IS NOT NULL;
    INSERT INTO appeals (application_id, review_id, grounds, opened_by, opened_at, closed_at,
        outcome)
      SELECT app, id, 'Grounds', {users["trader"]}, {_ts("made + delay + 1 / 24.0")},
             CASE roll % 3 WHEN 2 THEN NULL ELSE {_ts("made + delay + 7 / 24.0")} END,
             CASE roll % 3 WHEN 0 THEN 'upheld' WHEN 1 THEN 'overturned' END
      FROM rv WHERE decided AND NOT approve AND appealed AND made + delay + 1 / 24.0 < {now};
    CREATE TEMP TABLE pm AS
      SELECT app, max(made + delay) AS issued, min(authority) AS first, max(authority) AS last,
             {U} AS revoke, abs(random()) AS roll
      FROM rv GROUP BY app HAVING min(decided AND approve) = 1;
    UPDATE pm SET revoke = 1 WHERE issued + 3 >= {now};
    INSERT INTO permits (application_id, version, application_version, status, issued_at,
        valid_from, valid_until, authority_ids, conditions, status_changed_at,
        status_changed_by, status_reason_code, status_note)
      SELECT app, 1, 1, CASE WHEN revoke < 0.01 THEN 'revoked' ELSE 'valid' END,
             {_ts("issued")}, {_ts("issued")}, {_ts("issued + 3")},
             '[' || first || CASE WHEN last != first THEN ',' || last ELSE '' END || ']', '[]',
             CASE WHEN revoke < 0.01 THEN {_ts("issued + 1")} END,
             CASE WHEN revoke < 0.01 THEN {reviewer.replace("authority", "first")} END,
             CASE WHEN revoke < 0.01 THEN {_pick(REASONS, "roll")} END, ''
      FROM pm;
    CREATE TEMP TABLE sc AS
      SELECT app, issued + (1 + 47 * {U}) / 24.0 AS at,
             CASE WHEN abs(random()) % 2 = 0 THEN first ELSE last END AS authority,
             abs(random()) % 4 AS k, {U} AS act, abs(random()) AS roll, {U} AS clone
      FROM pm
      UNION ALL
      SELECT app, issued + (1 + 47 * {U}) / 24.0, last, abs(random()) % 4, {U}, abs(random()),
             {U} FROM pm WHERE app % 3 = 0;
    DELETE FROM sc WHERE at >= {now};
    INSERT INTO scan_events (event_uid, device_id, checkpoint_id, scanned_at, received_at,
        permit_ref, permit_version, verdict, action, reason_code, note, officer,
        data_age_seconds, contradiction, clone_suspected)
      SELECT 'e' || sc.rowid, p.device, p.checkpoint, {_ts("at")}, {_ts("at")},
             printf('P-%06d', app), 1, 'valid',
             CASE WHEN act < 0.04 THEN 'refusal' WHEN act < 0.05 THEN 'override' ELSE 'passage' END,
             CASE WHEN act < 0.04 THEN {_pick(REFUSALS_AT_CHECKPOINT, "roll")}
                  WHEN act < 0.05 THEN {_pick(OVERRIDES, "roll")} END,
             '', '', 60,
             act < 0.04 AND roll % {len(REFUSALS_AT_CHECKPOINT)} != 3, clone < 0.001
      FROM sc JOIN places p ON p.authority = sc.authority AND p.k = sc.k;
    """)  # noqa: S608
    _tally(connection)
    connection.commit()


def _tally(connection: sqlite3.Connection) -> None:
    """The tallies the services would have kept, from the rows (as the migration's back-fill
    does, in SQL here for speed)."""
    insert = (
        "INSERT INTO figure_tallies (span, day, figure, party_id, checkpoint_id, reason, bucket, "
        "count) SELECT 'day', * FROM ("
    )
    minutes = "(julianday(d.decided_at) - julianday(r.opened_at)) * 1440"
    connection.executescript(  # only our own numbers and names go into this script
        insert + "SELECT date(a.created_at), 'received', r.authority_id, 0, '', 0, count(*) "  # noqa: S608
        "FROM reviews r JOIN applications a ON a.id = r.application_id GROUP BY 1, 3);"
        + insert
        + "SELECT date(d.decided_at), 'decided', r.authority_id, 0, '', 0, count(*) "
        "FROM review_decisions d JOIN reviews r ON r.id = d.review_id GROUP BY 1, 3);"
        + insert
        + "SELECT date(d.decided_at), 'approved', r.authority_id, 0, '', 0, count(*) "
        "FROM review_decisions d JOIN reviews r ON r.id = d.review_id "
        "WHERE d.decision = 'approve' GROUP BY 1, 3);"
        + insert
        + "SELECT date(d.decided_at), 'refused', r.authority_id, 0, d.reason_code, 0, "
        "count(*) FROM review_decisions d JOIN reviews r ON r.id = d.review_id "
        "WHERE d.decision = 'reject' GROUP BY 1, 3, 5);"
        + insert
        + f"SELECT date(d.decided_at), 'decision_time', r.authority_id, 0, '', "  # noqa: S608
        f"{_bucket(minutes)}, count(*) FROM review_decisions d "
        "JOIN reviews r ON r.id = d.review_id GROUP BY 1, 3, 6);"
        + insert
        + "SELECT date(overdue_at), 'overdue', authority_id, 0, '', 0, count(*) "
        "FROM reviews WHERE overdue_at IS NOT NULL GROUP BY 1, 3);"
        + insert
        + "SELECT date(p.opened_at), 'appealed', r.authority_id, 0, "
        "coalesce(p.outcome, 'open'), 0, count(*) FROM appeals p "
        "JOIN reviews r ON r.id = p.review_id GROUP BY 1, 3, 5);"
        + insert
        + "SELECT date(p.status_changed_at), 'revoked', u.party_id, 0, "
        "p.status_reason_code, 0, count(*) FROM permits p "
        "JOIN users u ON u.id = p.status_changed_by WHERE p.status = 'revoked' GROUP BY 1, 3, 5);"
        + insert
        + "SELECT date(scanned_at), CASE action WHEN 'passage' THEN 'passages' "
        "WHEN 'refusal' THEN 'refusals' ELSE 'overrides' END, 0, checkpoint_id, "
        "coalesce(reason_code, ''), 0, count(*) FROM scan_events GROUP BY 1, 2, 4, 5);"
        + insert
        + "SELECT date(scanned_at), 'contradictions', 0, checkpoint_id, '', 0, count(*) "
        "FROM scan_events WHERE contradiction GROUP BY 1, 4);"
        + insert
        + "SELECT date(scanned_at), 'clones', 0, checkpoint_id, '', 0, count(*) "
        "FROM scan_events WHERE clone_suspected GROUP BY 1, 4);"
        "INSERT INTO figure_tallies (span, day, figure, party_id, checkpoint_id, reason, "
        "bucket, count) SELECT 'month', date(day, 'start of month'), figure, party_id, "
        "checkpoint_id, reason, bucket, sum(count) FROM figure_tallies WHERE span = 'day' "
        "GROUP BY 2, 3, 4, 5, 6, 7;"
    )


def build(path: Path, count: int) -> tuple[str, int, float]:
    """A migrated database at ``path`` with the demo town and ``count`` applications; its URL,
    the rows inserted, and the seconds the bulk insert took."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_demo(session, FixedClock(NOW - YEAR - timedelta(days=2)))
        session.commit()
    engine.dispose()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -200000")
    began = time.perf_counter()
    # Build the indexes once, over the loaded rows, rather than row by row as they go in.
    marks = ", ".join("?" * len(TABLES))
    indexes = connection.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
        f"AND tbl_name IN ({marks})",
        TABLES,
    ).fetchall()
    for name, _sql in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    generate(connection, count)
    for _name, sql in indexes:
        connection.execute(sql)
    connection.commit()
    seconds = time.perf_counter() - began
    connection.execute("ANALYZE")
    connection.commit()
    rows = sum(
        connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - ours
        for table in TABLES
    )
    connection.close()
    return url, rows, seconds


TABLES = ("applications", "reviews", "review_decisions", "appeals", "permits", "scan_events",
          "figure_tallies")  # fmt: skip


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


def check(url: str) -> None:
    """The service's totals over the whole year equal the records counted one by one."""
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
        totals.count(Figure.APPEALED), totals.count(Figure.REVOKED), totals.timed,
        places.passages, places.count(Figure.REFUSALS), places.count(Figure.OVERRIDES),
        places.contradictions, places.clones,
    )  # fmt: skip
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        counted = tuple(
            connection.execute(sql).fetchone()[0]
            for sql in (
                "SELECT count(*) FROM reviews",
                "SELECT count(*) FROM review_decisions",
                "SELECT count(*) FROM review_decisions WHERE decision = 'approve'",
                "SELECT count(*) FROM reviews WHERE overdue_at IS NOT NULL",
                "SELECT count(*) FROM appeals",
                "SELECT count(*) FROM permits WHERE status = 'revoked'",
                "SELECT count(*) FROM review_decisions",
                "SELECT count(*) FROM scan_events WHERE action = 'passage'",
                "SELECT count(*) FROM scan_events WHERE action = 'refusal'",
                "SELECT count(*) FROM scan_events WHERE action = 'override'",
                "SELECT count(*) FROM scan_events WHERE contradiction",
                "SELECT count(*) FROM scan_events WHERE clone_suspected",
            )
        )
    finally:
        connection.close()
    if got != counted:
        raise SystemExit(f"figures differ from the records: {got} != {counted}")


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
        # One with the ledger, one without, in turn: each pair shares the machine's load of
        # the moment, so the difference within a pair is the ledger's cost, whatever else runs.
        # Which goes first is drawn for each pair, so that nothing that alternates (a WAL
        # checkpoint, a cache) lands on one side only.
        pairs: list[tuple[float, float]] = []
        for start_at in range(20, submits - 1, 2):
            order = [True, False] if rng.random() < 0.5 else [False, True]
            timed: dict[bool, float] = {}
            for with_ledger, body in zip(order, bodies[start_at : start_at + 2], strict=True):
                for module in modules:
                    module.record_entry = ledger.record_entry if with_ledger else nothing
                timed[with_ledger] = submit(body)
            pairs.append((timed[True], timed[False]))
        for module in modules:
            module.record_entry = ledger.record_entry
        engine.dispose()
    on = statistics.median(p[0] for p in pairs)
    off = statistics.median(p[1] for p in pairs)
    extra = statistics.median(p[0] - p[1] for p in pairs)
    out(
        f"submit an application (route, reviews, jobs, notices, commit): {len(pairs)} pairs, "
        "one with the ledger and one without, in turn:"
    )
    out(f"  median with the ledger {on:.2f} ms, without {off:.2f} ms")
    out(f"  median difference within a pair {extra:.2f} ms")
    return extra / off * 100


def principals_of(sessions: sessionmaker[Session], username: str) -> Principal:
    with unit_of_work(sessions, write=False) as session:
        user = PartyRepository(session).user_by_username(username)
        assert user is not None  # noqa: S101 - the demo town has it
        return principal_of(user)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="timed reads of each kind")
    parser.add_argument("--submits", type=int, default=260, help="applications submitted")
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    machine = start()
    out = Tee()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "figures.db"
        url, rows, seconds = build(path, args.applications)
        size_mb = path.stat().st_size / 1e6
        out(
            f"{args.applications:,} applications over a year: {rows:,} rows inserted "
            f"in {seconds:.1f} s ({size_mb:.0f} MB SQLite file)"
        )
        check(url)
        out("the year's totals through the service equal the records counted one by one")
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
