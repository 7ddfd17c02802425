"""``tansiq ledger watch``: a party keeps the last head and checks the hub's next one and the
consistency proof between them. The proofs the API serves are also re-derived here from RFC
9162's definitions (``tests/ledger/test_merkle.py``), independently of the hub's code."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import FixedClock, SystemClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tansiq.ledger import service
from tansiq.ledger.models import LedgerEntryRecord
from tansiq.ledger.witness import HeadNotSigned, HistoryRewritten, NoPinnedKeys, Witness
from tansiq.permits.ledger_heads import sign_ledger_head
from tansiq.permits.service import governance_public_keys
from tests.conftest import SECRET_KEY, DatabaseFactory
from tests.ledger.test_merkle import mth, subproof
from tests.processes import free_port, start, wait_until_serving


def fetcher(client: TestClient) -> Any:
    def fetch(path: str) -> Any:
        response = client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    return fetch


def grow(session: Session, clock: FixedClock, count: int) -> None:
    for i in range(count):
        service.record_entry(
            session, kind="test.entry", subject=f"test:{i}", content={"i": i}, at=clock.now()
        )
        clock.current += timedelta(seconds=1)
    sign_ledger_head(session, SECRET_KEY, clock)
    session.flush()


def test_a_witness_follows_a_growing_ledger_and_the_proofs_match_the_rfc(
    client: TestClient, session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    sign_ledger_head(session, SECRET_KEY, clock)
    witness = Witness(tmp_path / "witness.json")
    witness.pin(governance_public_keys(session))
    first = witness.check(fetcher(client))
    grow(session, clock, 7)
    again = Witness(tmp_path / "witness.json")  # a new run reads the kept head back
    second = again.check(fetcher(client))
    same = again.check(fetcher(client))

    assert first.old_size is None
    assert second.old_size == first.new_size
    assert second.new_size == first.new_size + 7
    assert same.old_size == same.new_size == second.new_size
    # The proof the hub served, re-derived from the definitions over the stored leaves.
    leaves = list(session.scalars(select(LedgerEntryRecord.leaf).order_by(LedgerEntryRecord.seq)))
    old, new = first.new_size, second.new_size
    served = client.get(f"/api/v1/ledger/proofs/consistency?old={old}&new={new}").json()
    assert [bytes.fromhex(p) for p in served["path"]] == subproof(old, leaves[:new], True)
    head = client.get("/api/v1/ledger/head").json()
    assert bytes.fromhex(head["root"]) == mth(leaves[:new])


def test_a_rewritten_history_is_refused_and_the_kept_head_stays(
    client: TestClient, session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    grow(session, clock, 5)
    witness = Witness(tmp_path / "witness.json")
    witness.pin(governance_public_keys(session))
    kept = witness.check(fetcher(client)).new_size
    # The operator rewrites an entry the witness has seen, redoes its leaf, signs anew.
    rewritten = session.scalars(
        select(LedgerEntryRecord).where(LedgerEntryRecord.seq == kept - 2)
    ).one()
    rewritten.leaf = bytes(32)
    session.flush()
    grow(session, clock, 3)

    with pytest.raises(HistoryRewritten) as caught:
        witness.check(fetcher(client))

    assert caught.value.params == {"old": kept, "new": kept + 3}
    assert Witness(tmp_path / "witness.json").head is not None
    assert Witness(tmp_path / "witness.json").head.size == kept  # type: ignore[union-attr]


def test_a_head_signed_by_an_unpinned_key_is_refused(
    client: TestClient, session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    grow(session, clock, 2)
    witness = Witness(tmp_path / "witness.json")
    with pytest.raises(NoPinnedKeys):
        witness.check(fetcher(client))
    witness.pin([bytes(range(32))])
    with pytest.raises(HeadNotSigned):
        witness.check(fetcher(client))
    assert witness.head is None


def test_the_command_against_a_running_hub(databases: DatabaseFactory, tmp_path: Path) -> None:
    url = databases.migrated_url("watch")
    env = {"TANSIQ_SECRET_KEY": SECRET_KEY}
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, SystemClock())
        sign_ledger_head(session, SECRET_KEY, SystemClock())
        key = governance_public_keys(session)[0].hex()
        session.commit()
    port = free_port()
    hub = start(
        ["serve", "--no-worker", "--port", str(port)],
        database_url=url,
        log=tmp_path / "hub.log",
        env=env,
    )
    try:
        wait_until_serving(hub, port)
        base = f"http://127.0.0.1:{port}"
        state = str(tmp_path / "witness.json")

        def watch(*extra: str) -> Any:
            return CliRunner().invoke(
                cli, ["ledger", "watch", "--hub", base, "--state", state, *extra]
            )

        unpinned = watch()
        first = watch("--governance-key", key)
        twice = watch("--interval", "1", "--times", "2")
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE ledger_entries SET leaf = :zero WHERE seq = 1"), {"zero": bytes(32)}
            )
        with Session(engine) as session:
            service.record_entry(
                session, kind="test.entry", subject="test:x", content={}, at=SystemClock().now()
            )
            sign_ledger_head(session, SECRET_KEY, SystemClock())
            session.commit()
        refused = watch()
    finally:
        hub.stop()
        engine.dispose()

    assert unpinned.exit_code == 1
    assert "error ledger.watch_no_keys:" in unpinned.output
    assert first.exit_code == 0, first.output
    assert first.output.startswith("ok ledger.watch_first: ")
    assert twice.exit_code == 0, twice.output
    assert twice.output.count("ok ledger.watch_same: ") == 2
    assert refused.exit_code == 1
    assert refused.output.startswith("error ledger.watch_inconsistent: ")
