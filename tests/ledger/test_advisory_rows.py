"""An advisory's every change, an incident's closing, CAP imports and publication, and watches
checked against their rows: a real scenario through the API (a closure whose window moves twice
and is withdrawn, one that expires, a CAP alert imported public, taken off the feed and put
back, then replaced by a CAP Update; an incident that closes; a watch made and ended), then the
rows edited, deleted or inserted behind the hub's back with SQL — ``check_ledger`` names the
first bad entry. On SQLite and PostgreSQL (``TANSIQ_TEST_DATABASE_URL``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.incidents.expiry import expire_due
from tansiq.incidents.models import AdvisoryChangeRecord
from tansiq.ledger.models import LedgerEntryRecord
from tests.conftest import Tokens
from tests.incidents.conftest import ON_EAST_ROAD, incident, post, road_closure
from tests.incidents.test_cap_api import API, CAP, import_cap, thunderstorm_now
from tests.ledger.test_rows import check


def _window(client: TestClient, headers: dict[str, str], advisory: int, until: Any) -> None:
    post(client, f"{API}/{advisory}/window", headers, {"valid_until": until.isoformat()})


@pytest.fixture
def changed(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session
) -> dict[str, Any]:
    liaison = tokens("west.liaison")
    now = clock.now()
    closure = post(client, API, liaison, road_closure(clock))["id"]
    _window(client, liaison, closure, now + timedelta(days=3))
    _window(client, liaison, closure, now + timedelta(days=1))
    short = post(client, API, liaison, road_closure(clock, valid_until=_iso(now, hours=1)))["id"]
    closing = post(
        client, "/api/v1/incidents", liaison, incident(clock, relevant_until=_iso(now, hours=1))
    )["id"]
    lasting = post(client, "/api/v1/incidents", liaison, incident(clock))["id"]

    imported = import_cap(client, liaison, thunderstorm_now(clock, "A-1"))["advisory"]["id"]
    off = client.delete(f"{API}/{imported}/publication", headers=liaison)
    assert off.status_code == 200, off.text
    post(client, f"{API}/{imported}/publication", liaison, {})
    sent = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    update = (
        thunderstorm_now(clock, "A-2")
        .replace(b"<msgType>Alert", b"<msgType>Update")
        .replace(b"<info>", f"<references>KSTO@NWS.NOAA.GOV,A-1,{sent}</references><info>".encode())
    )
    replacing = client.post(f"{API}/cap", content=update, headers={**liaison, **CAP})
    assert replacing.status_code == 201, replacing.text
    assert [ended["id"] for ended in replacing.json()["ended"]] == [imported]

    watch = post(
        client,
        "/api/v1/watches",
        tokens("east.admin"),
        {"name": "East Road", "geometry": ON_EAST_ROAD, "reach_m": 300},
    )["id"]
    post(client, f"/api/v1/watches/{watch}/end", tokens("east.admin"), {})
    post(client, f"{API}/{closure}/withdrawal", liaison, {"note": "crater filled"})

    clock.advance(timedelta(hours=2))
    assert expire_due(session, clock) == 2  # the short closure and the incident
    return {
        "closure": closure,
        "short": short,
        "closing": closing,
        "lasting": lasting,
        "imported": imported,
        "update": replacing.json()["advisory"]["id"],
        "watch": watch,
    }


def _iso(now: Any, *, hours: int) -> str:
    return str((now + timedelta(hours=hours)).isoformat())


def test_every_change_is_recorded_kept_and_matches_its_rows(
    changed: dict[str, Any], session: Session
) -> None:
    result = check(session)
    assert result.problem is None, result.problem
    history = [
        change.value
        for change in session.scalars(
            select(AdvisoryChangeRecord.change)
            .where(AdvisoryChangeRecord.advisory_id == changed["closure"])
            .order_by(AdvisoryChangeRecord.id)
        )
    ]
    assert history == ["issued", "changed", "changed", "withdrawn"]
    imported = session.scalars(
        select(LedgerEntryRecord.kind)
        .where(LedgerEntryRecord.subject == f"advisory:{changed['imported']}")
        .order_by(LedgerEntryRecord.seq)
    ).all()
    assert imported == [
        "incidents.issued",
        "incidents.cap_imported",
        "incidents.published",
        "incidents.unpublished",
        "incidents.published",
        "incidents.withdrawn",
        "incidents.cap_withdrawn",
    ]


# (SQL, code, the entry named: kind and subject; no kind for a row the ledger never recorded)
TAMPERING: dict[str, tuple[str, str, str | None, str]] = {
    "window's end moved in the advisory's row": (
        "UPDATE advisories SET valid_until = valid_from WHERE id = :closure",
        "ledger.row_changed",
        "incidents.changed",
        "advisory:{closure}",
    ),
    "a window change's end rewritten": (
        "UPDATE advisory_changes SET valid_until = at "
        "WHERE advisory_id = :closure AND change = 'changed'",
        "ledger.row_changed",
        "incidents.changed",
        "advisory:{closure}",
    ),
    "a window change's author rewritten": (
        "UPDATE advisory_changes SET by = NULL WHERE advisory_id = :closure AND change = 'changed'",
        "ledger.row_changed",
        "incidents.changed",
        "advisory:{closure}",
    ),
    "the window as issued rewritten": (
        "UPDATE advisory_changes SET valid_until = at "
        "WHERE advisory_id = :short AND change = 'issued'",
        "ledger.row_changed",
        "incidents.issued",
        "advisory:{short}",
    ),
    "the issue's description rewritten": (
        "UPDATE advisories SET description = 'road open' WHERE id = :short",
        "ledger.row_changed",
        "incidents.issued",
        "advisory:{short}",
    ),
    "a window change erased": (
        "DELETE FROM advisory_changes WHERE advisory_id = :closure AND change = 'changed'",
        "ledger.row_changed",
        "incidents.changed",
        "advisory:{closure}",
    ),
    "a window change inserted": (
        "INSERT INTO advisory_changes (advisory_id, change, at, by, valid_until, was_until, note) "
        "SELECT advisory_id, change, at, by, valid_until, was_until, note FROM advisory_changes "
        "WHERE advisory_id = :closure AND change = 'changed' AND was_until > valid_until",
        "ledger.row_unrecorded",
        None,
        "advisory:{closure}",
    ),
    "the withdrawal erased from the history": (
        "DELETE FROM advisory_changes WHERE advisory_id = :closure AND change = 'withdrawn'",
        "ledger.row_missing",
        "incidents.withdrawn",
        "advisory:{closure}",
    ),
    "a withdrawn advisory revived": (
        "UPDATE advisories SET status = 'active', ended_at = NULL, ended_by = NULL "
        "WHERE id = :closure",
        "ledger.row_missing",
        "incidents.withdrawn",
        "advisory:{closure}",
    ),
    "the withdrawal's note rewritten": (
        "UPDATE advisories SET end_note = 'never closed' WHERE id = :closure",
        "ledger.row_changed",
        "incidents.withdrawn",
        "advisory:{closure}",
    ),
    "an expiry turned into a withdrawal": (
        "UPDATE advisories SET status = 'withdrawn' WHERE id = :short",
        "ledger.row_changed",
        "incidents.expired",
        "advisory:{short}",
    ),
    "an active advisory ended behind the hub's back": (
        "UPDATE advisories SET status = 'expired', ended_at = created_at WHERE id = :update",
        "ledger.row_unrecorded",
        None,
        "advisory:{update}",
    ),
    "a closed incident reopened": (
        "UPDATE incidents SET status = 'active' WHERE id = :closing",
        "ledger.row_missing",
        "incidents.closed",
        "incident:{closing}",
    ),
    "a closing's time moved": (
        "UPDATE incidents SET closed_at = created_at WHERE id = :closing",
        "ledger.row_changed",
        "incidents.closed",
        "incident:{closing}",
    ),
    "an incident closed behind the hub's back": (
        "UPDATE incidents SET status = 'closed', closed_at = created_at WHERE id = :lasting",
        "ledger.row_unrecorded",
        None,
        "incident:{lasting}",
    ),
    "a CAP identifier rewritten": (
        "UPDATE advisories SET cap_identifier = 'B-1' WHERE id = :imported",
        "ledger.row_changed",
        "incidents.cap_imported",
        "advisory:{imported}",
    ),
    "a CAP Update recorded as an Alert": (
        "UPDATE advisory_changes SET msg_type = 'Alert' "
        "WHERE advisory_id = :update AND change = 'cap_imported'",
        "ledger.row_changed",
        "incidents.cap_imported",
        "advisory:{update}",
    ),
    "a CAP withdrawal erased": (
        "DELETE FROM advisory_changes WHERE change = 'cap_withdrawn'",
        "ledger.row_missing",
        "incidents.cap_withdrawn",
        "advisory:{imported}",
    ),
    "a CAP withdrawal's message rewritten": (
        "UPDATE advisory_changes SET cap = 'A-9' WHERE change = 'cap_withdrawn'",
        "ledger.row_changed",
        "incidents.cap_withdrawn",
        "advisory:{imported}",
    ),
    "taken off the feed behind the hub's back": (
        "UPDATE advisories SET public = false WHERE id = :update",
        "ledger.row_changed",
        "incidents.published",
        "advisory:{update}",
    ),
    "a publication's author rewritten": (
        "UPDATE advisory_changes SET by = NULL WHERE change = 'unpublished'",
        "ledger.row_changed",
        "incidents.unpublished",
        "advisory:{imported}",
    ),
    "a publication turned around in the history": (
        "UPDATE advisory_changes SET change = 'published' WHERE change = 'unpublished'",
        "ledger.row_changed",
        "incidents.unpublished",
        "advisory:{imported}",
    ),
    "put in the feed behind the hub's back": (
        "UPDATE advisories SET public = true WHERE id = :short",
        "ledger.row_unrecorded",
        None,
        "advisory:{short}",
    ),
    "a watch's end erased": (
        "UPDATE incident_watches SET active = true, ended_at = NULL, ended_by = NULL "
        "WHERE id = :watch",
        "ledger.row_missing",
        "incidents.watch_ended",
        "watch:{watch}",
    ),
    "a watch's end put on another user": (
        "UPDATE incident_watches SET ended_by = created_by + 1 WHERE id = :watch",
        "ledger.row_changed",
        "incidents.watch_ended",
        "watch:{watch}",
    ),
    "a watch moved to another party": (
        "UPDATE incident_watches SET party_id = party_id + 1 WHERE id = :watch",
        "ledger.row_changed",
        "incidents.watch_created",
        "watch:{watch}",
    ),
    "a watch deleted": (
        "DELETE FROM incident_watches WHERE id = :watch",
        "ledger.row_missing",
        "incidents.watch_created",
        "watch:{watch}",
    ),
    "a watch inserted": (
        "INSERT INTO incident_watches (party_id, created_by, name, geometry, shape_wkb, min_lon, "
        "min_lat, max_lon, max_lat, reach_m, active, created_at) SELECT party_id, created_by, "
        "name, geometry, shape_wkb, min_lon, min_lat, max_lon, max_lat, reach_m, true, "
        "created_at FROM incident_watches WHERE id = :watch",
        "ledger.row_unrecorded",
        None,
        "watch:",
    ),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_a_row_changed_behind_the_hubs_back_is_named(
    case: str, changed: dict[str, Any], session: Session
) -> None:
    statement, code, kind, subject = TAMPERING[case]
    assert check(session).problem is None
    session.execute(text(statement), changed)
    result = check(session)
    assert result.problem is not None, case
    message = result.problem.render(Locale.EN)["message"]
    assert result.problem.code == code, message
    named = subject.format(**changed)
    assert (f"({kind}, {named})" if kind else named) in message, message
