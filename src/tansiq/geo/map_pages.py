"""The maps' own pages: the deployment's base layers for the hub's admins (upload roads,
rivers, built-up areas or place names, see them on the map, or every refused feature with its
coded error), and, for every page's map, the zones and base layers of the area it shows as
JSON for the signed-in reader (``/map/*.json``, the page twins of ``/api/v1/map/*``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from tansiq.core.clock import ensure_utc
from tansiq.core.errors import STATUS_BY_CATEGORY, TansiqError, Unauthenticated
from tansiq.core.i18n import N_
from tansiq.geo import base_layers, map_layers, visible
from tansiq.geo.domain import BaseLayerKind
from tansiq.geo.pages import feature_names, posted_document
from tansiq.geo.viewport import check_zoom, parse_bbox
from tansiq.parties import access
from tansiq.parties.admin_gate import act, view
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.domain import Principal
from tansiq.web.forms import FRESH, FormState, PostedForm, record_id

router = APIRouter(include_in_schema=False)


class BadLayerText(TansiqError):
    code = "geojson.not_json"
    message = N_("The base layer is not valid JSON (line {line}, column {column}).")


def _layers(
    s: Viewer, me: Principal, form: FormState = FRESH, *, uploaded: int | None = None
) -> Response:
    access.require(access.can_manage_base_layers(me))
    rows = [
        {
            "id": record.id,
            "kind": record.kind.value,
            "features": record.feature_count,
            "uploaded_at": ensure_utc(record.uploaded_at),
            "source": record.source_name,
            "current": current,
            "uploaded": record.id == uploaded,
        }
        for record, current in base_layers.list_base_layers(s.session)
    ]
    return s.show(
        "admin_base_layers.html",
        form.status,
        layers=rows,
        kinds=[kind.value for kind in BaseLayerKind],
        **form.shown(),
        uploaded=uploaded,
        max_bytes=s.hub.settings.max_body_bytes,
        map=map_layers.map_of(
            s.session,
            s.locale,
            map_layers.checkpoints(s.session, s.locale),
            map_layers.live(s.session, s.hub.clock.now()),
        ),
        tile_url=s.hub.settings.tile_url or "",
    )


@router.get("/admin/base-layers")
def base_layers_page(s: Current, uploaded: str = "") -> Response:
    return view(s, lambda me: _layers(s, me, uploaded=record_id(uploaded)))


@router.post("/admin/base-layers")
def upload_base_layer(s: Current, body: PostedForm) -> Response:
    names: dict[int, str] = {}

    def do(me: Principal) -> Response:
        access.require(access.can_manage_base_layers(me))
        kind = base_layers.layer_kind(body.text("kind", limit=40))
        document = posted_document(body, BadLayerText)
        names.update(feature_names(document, s.locale))
        record = base_layers.import_base_layer(
            s.session,
            me,
            kind=kind,
            document=document,
            clock=s.hub.clock,
            source_name=body.text("source_name"),
        )
        return s.go(f"/admin/base-layers?uploaded={record.id}")

    def again(me: Principal, error: dict[str, Any], status: int) -> Response:
        for detail in error["details"]:
            detail["name"] = names.get(detail.get("feature", -1), "")
        return _layers(s, me, FormState(error, body.values(), status))

    return act(s, body, do, again)


def _area(s: Viewer, answer: Callable[[], visible.Answer]) -> Response:
    """An area's GeoJSON for the signed-in reader's map, or a coded JSON refusal (no page:
    the map's script shows it). Who may see it: as the API's ``/map/*`` (every member)."""
    try:
        if s.me is None:
            raise Unauthenticated
        access.require(access.can_view_geography(s.me))
        found = answer()
    except TansiqError as error:
        return JSONResponse(
            {"error": error.render(s.locale)},
            status_code=STATUS_BY_CATEGORY[error.category],
            headers={"Cache-Control": "no-store"},
        )
    return Response(
        found.body,
        media_type="application/json",
        headers={"Cache-Control": "private, max-age=60"},
    )


def _zoom(text: str) -> int:
    try:
        return check_zoom(int(text))
    except ValueError:
        return check_zoom(-1)


@router.get("/map/zones.json")
def zones_in_view(s: Current, bbox: str = "", zoom: str = "", without_map: str = "") -> Response:
    """The zones in force now inside ``bbox`` at ``zoom``, for a page's map as it moves."""
    return _area(
        s,
        lambda: visible.zones_in_view(
            s.session,
            visible.area_cache(s.hub.caches),
            box=parse_bbox(bbox[:200]),
            zoom=_zoom(zoom[:3]),
            at=s.hub.clock.now(),
            levels=visible.level_cache(s.hub.caches),
            without_map=record_id(without_map),
        ),
    )


@router.get("/map/base.json")
def base_in_view(s: Current, bbox: str = "", zoom: str = "") -> Response:
    """The base layers inside ``bbox`` at ``zoom``, for a page's map as it moves."""
    return _area(
        s,
        lambda: visible.base_in_view(
            s.session,
            visible.area_cache(s.hub.caches),
            box=parse_bbox(bbox[:200]),
            zoom=_zoom(zoom[:3]),
        ),
    )
