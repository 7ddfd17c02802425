"""The checkpoints' pages: the officer's offline app (the installable page, its manifest and
service worker, which verify permits in the browser and queue scans until the hub is
reachable), and the administrator's devices (register one and hand its token to the officer
once; revoke a lost one after confirming).

The app's page itself holds no data and needs no sign-in: what it shows comes from the hub's
sync API, authorised by the device token an authority's administrator issued (kept in the
browser's IndexedDB, sent only as ``Authorization: Device``). The hub's governance keys are
pinned at the first sync. That is trust on first use, and no weaker than the page's own code,
which comes from the same hub: whoever could change the keys in that answer could change the
verifier too.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any, Final

import segno
from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from markupsafe import Markup

from tansiq.checkpoints import service as devices
from tansiq.checkpoints.client import NOT_SIGNED_HERE
from tansiq.checkpoints.domain import (
    CHECKPOINT_REASON_LABELS,
    OVERRIDE_REASON_LABELS,
    REFUSAL_FOR_VERDICT,
)
from tansiq.checkpoints.routes import CurrentDevice
from tansiq.checkpoints.words import LABELS
from tansiq.clearances.reasons import NOTE_REQUIRED, REASON_LABELS
from tansiq.clearances.schemas import VehicleKind
from tansiq.clearances.words import CONDITION
from tansiq.core.clock import ensure_utc
from tansiq.core.i18n import message_forms, translate
from tansiq.core.text import name_in
from tansiq.geo import places
from tansiq.geo.service import list_checkpoints
from tansiq.incidents.page_words import device_words
from tansiq.parties.admin_gate import act_on_page, view
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.directory import managed_authorities, name_of, parties
from tansiq.parties.domain import PartyKind, Principal
from tansiq.verifier.verify import DATA_OLD_DAYS, DATA_OLD_HOURS, NO_REVOCATIONS, REASONS
from tansiq.web.deps import DbSession, Hub, RecordId
from tansiq.web.forms import FRESH, FormState, PostedForm, confirm, record_id
from tansiq.web.view import ASSETS

router = APIRouter(include_in_schema=False)

APP = "/checkpoint"
# What the service worker keeps for offline use; the page itself is fetched network-first.
SHELL: Final = (
    f"{ASSETS}/tansiq.css",
    f"{ASSETS}/incidents.css",
    f"{ASSETS}/checkpoint/app.js",
    f"{ASSETS}/checkpoint/store.js",
    f"{ASSETS}/checkpoint/verify.js",
    f"{ASSETS}/checkpoint/sun.js",
    f"{ASSETS}/checkpoint/token.js",
    f"{ASSETS}/checkpoint/trust.js",
    f"{ASSETS}/checkpoint/witness.js",
    f"{ASSETS}/checkpoint/advisories.js",
    f"{ASSETS}/checkpoint/keys.js",
    f"{ASSETS}/checkpoint/cbor.js",
    f"{ASSETS}/checkpoint/timefmt.js",
    f"{ASSETS}/checkpoint/icon.svg",
    # Scanning and the driver check (see SCAN_WORKER for the worker itself).
    f"{ASSETS}/checkpoint/camera.js",
    f"{ASSETS}/checkpoint/scan.js",
    f"{ASSETS}/checkpoint/scan-options.js",
    f"{ASSETS}/checkpoint/officer.js",
    f"{ASSETS}/checkpoint/driver.js",
    f"{ASSETS}/vendor/zxing-wasm/reader.js",
    f"{ASSETS}/vendor/zxing-wasm/share.js",
    f"{ASSETS}/vendor/zxing-wasm/zxing_reader.wasm",
    *(
        f"{ASSETS}/vendor/noble-hashes/{name}.js"
        for name in ("scrypt", "pbkdf2", "hmac", "sha2", "utils", "_md", "_u64")
    ),
    f"{ASSETS}/vendor/jsqr/jsQR.js",
    f"{APP}/scan-worker.js",
    f"{APP}/manifest.webmanifest",
)
# The QR decoder's worker, served from the app's path with a policy of its own: it may compile
# WebAssembly ('wasm-unsafe-eval', the zxing-cpp build) and load scripts and the .wasm from
# the hub, nothing else. The page's own policy stays as every page's (no WebAssembly there).
SCAN_WORKER_CSP: Final = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'"
)


def _static(path: str) -> bytes:
    return (resources.files("tansiq.web") / "assets" / path).read_bytes()


@cache
def _worker_script() -> bytes:
    """The service worker, with a cache name that changes whenever any cached file does."""
    digest = hashlib.sha256(_static("checkpoint/sw.js"))
    digest.update(_static("checkpoint/scan-worker.js"))
    for path in SHELL:
        if path.startswith(ASSETS):
            digest.update(_static(path.removeprefix(ASSETS + "/")))
    return (
        _static("checkpoint/sw.js")
        .replace(b"__VERSION__", digest.hexdigest()[:16].encode())
        .replace(b"__SHELL__", json.dumps([APP, *SHELL]).encode())
    )


def _js_labels(s: Viewer) -> dict[str, Any]:
    """What the script shows, in the reader's language (the template renders the rest)."""
    words = s.words()
    text: dict[str, Any] = {key: value for key, value in words.items() if key.startswith("cp_")}
    # Texts with a number the script fills in: their forms, chosen there with Intl.PluralRules.
    for key in ("cp_stale_warning", "cp_retrying", "cp_sync_progress"):
        text[key] = message_forms(LABELS[key], s.locale)
    forms = {status.value: message_forms(message, s.locale) for status, message in REASONS.items()}
    reasons: dict[str, Any] = {
        key: value["other"] if len(value) == 1 else value for key, value in forms.items()
    }
    reasons["no_revocations"] = translate(NO_REVOCATIONS, s.locale)
    reasons["not_signed_here"] = translate(NOT_SIGNED_HERE, s.locale)
    # A permit names its vehicle kind and conditions by code; the officer reads them as words.
    kinds = {kind.value: words[f"kind_{kind.value}"] for kind in VehicleKind}
    conditions = {kind.value: translate(label, s.locale) for kind, label in CONDITION.items()}
    # The refusal reason pre-chosen for each verdict that is not "valid".
    refusal_for = {verdict: code.value for verdict, code in REFUSAL_FOR_VERDICT.items()}
    return {
        "text": text,
        "reasons": reasons,
        "kinds": kinds,
        "conditions": conditions,
        "refusalFor": refusal_for,
        # A revocation's reason comes as a code in the signed data; the officer reads words.
        "reasonWords": {
            code.value: translate(label, s.locale) for code, label in REASON_LABELS.items()
        },
        "dataOld": {
            "hours": message_forms(DATA_OLD_HOURS, s.locale),
            "days": message_forms(DATA_OLD_DAYS, s.locale),
        },
    }


@router.get(APP)
def checkpoint_app(s: Current) -> Response:
    refusals = [(code.value, translate(label, s.locale)) for code, label in REASON_LABELS.items()]
    checkpoint_refusals = [
        (code.value, translate(label, s.locale)) for code, label in CHECKPOINT_REASON_LABELS.items()
    ]
    overrides = [
        (code.value, translate(label, s.locale)) for code, label in OVERRIDE_REASON_LABELS.items()
    ]
    return s.show(
        "checkpoint.html",
        refusals=refusals,
        checkpoint_refusals=checkpoint_refusals,
        overrides=overrides,
        note_required=sorted(code.value for code in NOTE_REQUIRED),
        max_age_hours=s.hub.settings.data_max_age_hours,
        hard_limit_hours=s.hub.settings.data_hard_limit_hours,
        time_zone=s.hub.settings.time_zone,
        js_labels=_js_labels(s),
        advisories={"words": device_words(s.locale), "zone": s.hub.settings.time_zone},
    )


@router.get(f"{APP}/sw.js")
def service_worker() -> Response:
    """Served from the app's path with ``Service-Worker-Allowed`` so that its scope can be
    ``/checkpoint`` itself (a worker's default scope is the folder it is served from)."""
    return Response(
        _worker_script(),
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": APP, "Cache-Control": "no-cache"},
    )


@router.get(f"{APP}/scan-worker.js")
def scan_worker() -> Response:
    """The QR decoder's Web Worker (see :data:`SCAN_WORKER_CSP`)."""
    return Response(
        _static("checkpoint/scan-worker.js"),
        media_type="text/javascript",
        headers={
            "Content-Security-Policy": SCAN_WORKER_CSP,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(f"{APP}/manifest.webmanifest")
def manifest(s: Current) -> Response:
    t = s.words()
    body = {
        "name": f"{t['app_name']} · {t['checkpoint_app']}",
        "short_name": t["checkpoint_app"],
        "lang": s.locale.value,
        "dir": s.locale.direction,
        "start_url": APP,
        "scope": APP,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f6c",
        "icons": [
            {"src": f"{ASSETS}/checkpoint/icon.svg", "sizes": "any", "type": "image/svg+xml"}
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


@router.get(f"{APP}/device")
def device_info(device: CurrentDevice, session: DbSession, hub: Hub) -> JSONResponse:
    """Which checkpoint the device in ``Authorization: Device`` stands at (its code decides
    "off route"; the sync API names only the authority), the deployment's time zone, and the
    names of every checkpoint and authority in both scripts (a token carries codes: the
    officer reads names)."""
    checkpoint = places.checkpoint(session, device.checkpoint_id)
    if checkpoint is None:  # a device always belongs to a checkpoint; the row may be gone
        return JSONResponse({"checkpoint": None}, headers={"Cache-Control": "no-store"})
    return JSONResponse(
        {
            "checkpoint": checkpoint.code,
            "name": {"ar": checkpoint.name_ar, "en": checkpoint.name_en},
            # Where it stands: "daylight hours only" is judged by sunrise and sunset here.
            "position": [checkpoint.lon, checkpoint.lat],
            "device": device.name,
            "time_zone": hub.settings.time_zone,
            "names": _directory(session),
        },
        headers={"Cache-Control": "no-store"},
    )


def _directory(session: DbSession) -> dict[str, dict[str, dict[str, str]]]:
    return {
        "checkpoints": {
            r.code: {"ar": r.name_ar, "en": r.name_en} for r in list_checkpoints(session)
        },
        "authorities": {
            p.code: {"ar": p.name_ar, "en": p.name_en}
            for p in parties(session, PartyKind.AUTHORITY)
        },
    }


# -- devices, for administrators -------------------------------------------------------------------


def _devices(
    s: Viewer,
    me: Principal,
    form: FormState = FRESH,
    *,
    new: dict[str, Any] | None = None,
    revoked: int | None = None,
) -> Response:
    authorities = {party.id: party for party in managed_authorities(s.session, me)}
    managed = [r for r in list_checkpoints(s.session) if r.authority_id in authorities]
    devices_by_checkpoint = devices.devices_by_checkpoint(s.session, [r.id for r in managed])
    checkpoints = []
    for record in managed:
        checkpoints.append(
            {
                "code": record.code,
                "name": name_in(s.locale, record.name_ar, record.name_en),
                "authority": name_of(authorities[record.authority_id], s.locale),
                "devices": [
                    {
                        "id": device.id,
                        "name": device.name,
                        "created_at": ensure_utc(device.created_at),
                        "last_sync_at": None
                        if device.last_sync_at is None
                        else ensure_utc(device.last_sync_at),
                        "revoked_at": None
                        if device.revoked_at is None
                        else ensure_utc(device.revoked_at),
                    }
                    for device in devices_by_checkpoint.get(record.id, [])
                ],
            }
        )
    return s.show(
        "admin_devices.html",
        form.status,
        checkpoints=checkpoints,
        **form.shown(),
        new=new,
        revoked=revoked,
    )


def enrolment_qr(link: str, title: str) -> Markup:
    """The enrolment link as an inline SVG QR code (drawn by the hub, nothing fetched), for the
    officer's phone to scan: its camera opens the link, or the app's own scanner reads it."""
    code = segno.make_qr(link, error="m")
    svg = code.svg_inline(scale=5, border=4, title=title)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - segno's own SVG


@router.get("/admin/devices")
def devices_page(s: Current, revoked: str = "") -> Response:
    new = s.page.take_once("device")
    if new is not None:
        # Absolute: a phone that scans it must know which hub to open.
        absolute = str(s.request.base_url).rstrip("/") + new["link"]
        title = s.words()["enrol_code"].replace("{device}", new["name"])
        new = {**new, "absolute_link": absolute, "qr": enrolment_qr(absolute, title)}
    return view(s, lambda me: _devices(s, me, new=new, revoked=record_id(revoked)))


@router.post("/admin/devices")
def register_device(s: Current, body: PostedForm) -> Response:
    def do(me: Principal) -> Response:
        checkpoint = body.text("checkpoint", limit=40)
        new = devices.register_device(
            s.session, me, checkpoint=checkpoint, name=body.text("name"), clock=s.hub.clock
        )
        # The token is shown once, on the page this redirects to: the hub keeps its hash.
        s.page.once = {
            "kind": "device",
            "token": new.token,
            "name": new.record.name,
            "checkpoint": checkpoint,
            "link": f"/checkpoint#enrol={new.token}",
        }
        s.page.changed = True
        return s.go("/admin/devices")

    return act_on_page(s, body, do, _devices, body.values())


@router.get("/admin/devices/{device_id}/revoke")
def confirm_revoke(device_id: RecordId, s: Current) -> Response:
    def show(me: Principal) -> Response:
        device = devices.managed_device(s.session, me, device_id)
        return confirm(
            s,
            action=f"/admin/devices/{device.id}/revoke",
            question="revoke_device_question",
            subject=device.name,
            back="/admin/devices",
        )

    return view(s, show)


@router.post("/admin/devices/{device_id}/revoke")
def revoke_device(device_id: RecordId, s: Current, body: PostedForm) -> Response:
    def do(me: Principal) -> Response:
        devices.revoke_device(s.session, me, device_id, s.hub.clock)
        return s.go(f"/admin/devices?revoked={device_id}")

    return act_on_page(s, body, do, _devices)
