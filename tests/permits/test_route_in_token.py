"""Every application the hub accepts can become a permit whose QR code prints and scans: a long
or noisy route is carried simplified within its corridor, and what cannot fit is refused with a
code when it is submitted (or decided), never a 500 or an application stuck in review."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import segno
from fastapi.testclient import TestClient
from shapely.geometry import LineString

from tansiq.core.clock import FixedClock
from tansiq.core.projection import project, utm_epsg
from tansiq.permits.route_fit import QR_MAX_CHARACTERS
from tansiq.verifier.image import read_qr_text
from tests.clearances.conftest import Tokens, application_body, decide, review_of, submit

START, END = (41.04, 34.4), (41.16, 34.4)  # the demo town's bridge road, west to east


def noisy_road(points: int, wobble_m: float, seed: int = 7) -> dict[str, Any]:
    """The bridge road as a GPS trace: ``points`` fixes, each off the road by up to
    ``wobble_m`` metres."""
    shake = random.Random(seed)
    degrees = wobble_m / 111_000
    coords = [
        [
            START[0] + (END[0] - START[0]) * i / (points - 1),
            START[1] + (shake.uniform(-degrees, degrees) if 0 < i < points - 1 else 0.0),
        ]
        for i in range(points)
    ]
    return {"type": "LineString", "coordinates": coords}


def zigzag(points: int, swing_m: float, seed: int = 11) -> dict[str, Any]:
    """A route that swings off the road by 1 to 2 times ``swing_m`` at every point: no
    simplification within a narrow corridor can drop those swings."""
    shake = random.Random(seed)
    degrees = swing_m / 111_000
    coords = [
        [
            START[0] + (END[0] - START[0]) * i / (points - 1),
            START[1] + (shake.uniform(degrees, 2 * degrees) if i % 2 else 0.0),
        ]
        for i in range(points)
    ]
    return {"type": "LineString", "coordinates": coords}


def approve_both(client: TestClient, tokens: Tokens, application: Any) -> Any:
    decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    return decide(
        client, tokens("east.reviewer"), review_of(application, "east-force"), decision="approve"
    ).json()


def metric(coords: list[list[float]]) -> LineString:
    geometry = project(LineString(coords), utm_epsg(*START))
    assert isinstance(geometry, LineString)
    return geometry


def test_long_noisy_routes_become_permits_that_scan(
    client: TestClient, tokens: Tokens, clock: FixedClock, tmp_path: Path
) -> None:
    for points in (1_000, 10_000):
        route = noisy_road(points, wobble_m=8)
        body = application_body(clock, route=route, client_reference=f"NOISY-{points}")
        decided = approve_both(client, tokens, submit(client, tokens("trader"), body))
        permit = decided["permits"][0]
        trader = tokens("trader")

        token = client.get(f"/api/v1/permits/{permit['id']}/token", headers=trader).json()
        png = client.get(f"/api/v1/permits/{permit['id']}/qr.png", headers=trader)
        printed = client.get(f"/permits/{permit['id']}/print", headers=trader)

        assert token["complete"] is True
        assert len(token["token"]) <= QR_MAX_CHARACTERS
        symbol = segno.make_qr(token["token"], error="q", mode="alphanumeric")
        assert int(symbol.version) <= 25
        (tmp_path / f"{points}.png").write_bytes(png.content)
        assert read_qr_text(tmp_path / f"{points}.png") == token["token"]
        assert printed.status_code == 200, printed.text


def test_the_carried_route_stays_within_half_the_corridor(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    route = noisy_road(3_000, wobble_m=8)
    body = application_body(clock, route=route, corridor_m=200)
    permit = approve_both(client, tokens, submit(client, tokens("trader"), body))["permits"][0]
    token = client.get(f"/api/v1/permits/{permit['id']}/token", headers=tokens("trader")).json()

    from tansiq.permits.token import decode

    carried = [list(point) for point in decode(token["token"]).claims.route]
    assert 2 <= len(carried) < 3_000
    assert carried[0] == [41.04, 34.4]
    # Rounded to 1e-5 degree in the token: about a metre on top of the corridor's half.
    assert metric(carried).hausdorff_distance(metric(route["coordinates"])) <= 100 + 2


def test_a_route_that_cannot_fit_is_refused_at_submission(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    trader = tokens("trader")
    before = client.get("/api/v1/applications", headers=trader).json()
    body = application_body(clock, route=zigzag(600, swing_m=60), corridor_m=50)

    response = client.post("/api/v1/applications", json=body, headers=trader)

    assert (response.status_code, response.json().get("error", {}).get("code")) == (
        422,
        "permit.route_too_complex",
    )
    assert client.get("/api/v1/applications", headers=trader).json() == before


def test_conditions_too_long_for_the_permit_are_refused_at_the_decision(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    review = review_of(application, "west-command")
    # Different words in every condition, as real ones are: zlib cannot fold them together.
    words = [
        "شاحنة",
        "مرافقة",
        "شرطة",
        "جسر",
        "سوق",
        "بوابة",
        "نهار",
        "ليل",
        "طريق",
        "حمولة",
        "قمح",
        "وقود",
        "دواء",
        "مياه",
    ]
    shake = random.Random(3)
    wordy = [
        {"kind": "free_text", "text": " ".join(shake.choice(words) for _ in range(40))}
        for _ in range(12)
    ]

    response = decide(
        client,
        tokens("west.reviewer"),
        review,
        decision="approve_with_conditions",
        conditions=wordy,
    )
    shown = client.get(f"/api/v1/applications/{application['id']}", headers=tokens("trader"))

    assert (response.status_code, response.json().get("error", {}).get("code")) == (
        422,
        "permit.too_large",
    )
    assert review_of(shown.json(), "west-command")["status"] == "pending"
