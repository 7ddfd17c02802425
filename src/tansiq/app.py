"""The hub's web application: create_app(context) wires routes, limits and error mapping."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

import tansiq
from tansiq.accountability import pages as accountability_pages
from tansiq.accountability.routes import router as accountability_router
from tansiq.accountability.words import LABELS as ACCOUNTABILITY_WORDS
from tansiq.checkpoints import oversight
from tansiq.checkpoints import pages as checkpoints_pages
from tansiq.checkpoints.push import PushRoute
from tansiq.checkpoints.routes import router as checkpoints_router
from tansiq.checkpoints.words import LABELS as CHECKPOINT_WORDS
from tansiq.clearances import corridors as _permit_corridors  # noqa: F401 - registers the source
from tansiq.clearances.pages import application, applying, home, trader
from tansiq.clearances.routes import router as clearances_router
from tansiq.clearances.words import LABELS as CLEARANCE_WORDS
from tansiq.context import HubContext
from tansiq.deconfliction import conflict_pages, thread_pages
from tansiq.deconfliction import pages as deconfliction_pages
from tansiq.deconfliction.routes import router as deconfliction_router
from tansiq.deconfliction.thread_routes import router as thread_router
from tansiq.deconfliction.words import LABELS as DECONFLICTION_WORDS
from tansiq.geo import map_pages as geo_map_pages
from tansiq.geo import pages as geo_pages
from tansiq.geo.routes import router as geo_router
from tansiq.geo.words import LABELS as GEO_WORDS
from tansiq.incidents import alert_pages as incident_alert_pages
from tansiq.incidents import form_pages as incident_form_pages
from tansiq.incidents import pages as incident_pages
from tansiq.incidents.cap_routes import cap_router
from tansiq.incidents.corridor_cache import hold_movements
from tansiq.incidents.page_words import LABELS as INCIDENT_PAGE_WORDS
from tansiq.incidents.routes import (
    advisories_router,
    alerts_router,
    incidents_router,
    watches_router,
)
from tansiq.ledger.routes import router as ledger_router
from tansiq.ledger_check.routes import router as ledger_check_router
from tansiq.notify import pages as notify_pages
from tansiq.notify.routes import router as notify_router
from tansiq.notify.service import unread_count
from tansiq.notify.words import LABELS as NOTIFY_WORDS
from tansiq.parties import pages as parties_pages
from tansiq.parties.routes import router as parties_router
from tansiq.parties.service import use_password_hash_cost
from tansiq.parties.words import LABELS as PARTY_WORDS
from tansiq.permits import pages as permits_pages
from tansiq.permits.routes import router as permits_router
from tansiq.permits.words import LABELS as PERMIT_WORDS
from tansiq.web.errors import install_error_handlers
from tansiq.web.limits import BodySizeLimit, SecurityHeaders
from tansiq.web.openapi import install_openapi
from tansiq.web.text import join_labels
from tansiq.web.view import error_page

# Each feature's web pages, in the order their paths must be tried (/applications/new before
# /applications/{id}).
PAGE_ROUTERS = (
    applying.router,
    trader.router,
    home.router,
    application.router,
    parties_pages.router,
    geo_pages.router,
    geo_map_pages.router,
    checkpoints_pages.router,
    oversight.router,
    permits_pages.router,
    notify_pages.router,
    accountability_pages.router,
    conflict_pages.router,  # before /deconfliction/{id}
    deconfliction_pages.router,
    thread_pages.router,
    # The forms' fixed paths (/incidents/new) before /incidents/{id}.
    incident_form_pages.router,
    incident_alert_pages.router,
    incident_pages.router,
)

# The page of what an inbox message is about, by its subject's kind (notify/pages.py links it).
SUBJECT_PAGES = {"application": "/applications/{id}", **thread_pages.SUBJECT_PAGES}

# The shell's labels and every feature's pages' words, as the templates' one table.
WORDS = join_labels(
    CLEARANCE_WORDS,
    PARTY_WORDS,
    GEO_WORDS,
    CHECKPOINT_WORDS,
    oversight.LABELS,
    PERMIT_WORDS,
    NOTIFY_WORDS,
    ACCOUNTABILITY_WORDS,
    DECONFLICTION_WORDS,
    INCIDENT_PAGE_WORDS,
)


def use_hub(app: FastAPI, context: HubContext) -> None:
    """Serve ``context`` with ``app`` (also an app made for another hub with the same engine
    and settings, as the tests reuse one)."""
    use_password_hash_cost(context.settings.password_hash_cost)
    app.state.hub = context
    # Conflict checks ask the corridor cache that impact keeps (deconfliction cannot import it).
    hold_movements(context.caches)


def create_app(context: HubContext) -> FastAPI:
    """The ASGI app for one hub; everything it needs comes in through ``context``."""
    app = FastAPI(
        title="Tansiq",
        version=tansiq.__version__,
        description=(
            "Coordination hub: parties, zones of control, checkpoints, routing, "
            "clearances, signed permits, checkpoint sync, notifications and deconfliction."
        ),
        docs_url=None,
        redoc_url=None,
    )
    use_hub(app, context)
    app.state.unread_count = unread_count  # the page header's badge (web/screen.py)
    app.state.subject_pages = SUBJECT_PAGES  # the inbox's "open" links (notify/pages.py)
    app.state.words = WORDS  # every page label, for the templates (web/view.py)
    install_error_handlers(app, error_page)
    # The ledger's head is 404 until the first tree head is signed; said here while the ledger
    # package is being reworked (it belongs in ledger/routes.py as responses=error_responses(404)).
    install_openapi(app, also={("GET", "/api/v1/ledger/head"): (404,)})
    # Devices' scan pushes, the busiest endpoint, first: a plain route for the usual request,
    # handing anything else to the documented route (checkpoints/push.py).
    app.router.routes.insert(0, PushRoute())
    app.include_router(parties_router)
    app.include_router(geo_router)
    app.include_router(clearances_router)
    app.include_router(checkpoints_router)
    app.include_router(permits_router)
    app.include_router(notify_router)
    app.include_router(deconfliction_router)
    app.include_router(thread_router)
    app.include_router(cap_router)  # before advisories_router: see incidents/cap_routes.py
    for incidents_api in (incidents_router, advisories_router, watches_router, alerts_router):
        app.include_router(incidents_api)
    app.include_router(ledger_router)
    app.include_router(accountability_router)
    app.include_router(ledger_check_router)
    static = resources.files("tansiq") / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)
    assets = resources.files("tansiq") / "web" / "assets"
    app.mount("/assets", StaticFiles(directory=str(assets)), name="assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        # Served from the vendored swagger-ui-dist: checkpoints and hubs may be offline.
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Tansiq API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/home")

    @app.get("/health", tags=["operations"])
    def health(request: Request) -> JSONResponse:
        """Liveness and database reachability, for load balancers and scripts."""
        with context.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return JSONResponse(
            {"status": "ok", "version": tansiq.__version__, "database": context.engine.dialect.name}
        )

    app.add_middleware(BodySizeLimit, max_bytes=context.settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: every response carries the headers
    return app
