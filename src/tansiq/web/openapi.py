"""The API's published contract: every status an operation can answer, with the real error body.

FastAPI documents only 200 and its own 422 shape; the hub answers every error as
``{"error": {code, message, details}}`` (``tansiq.web.errors``). The statuses an operation can
answer follow from what it takes, so they are derived here from each operation's parameters,
body and security rather than listed by hand in every ``routes.py`` (where a new route would
forget them):

- every operation: 503 (the database is busy; try again);
- a security scheme (a bearer or device token): 401 and 403;
- a body: 400 (unreadable JSON or Content-Length), 413, 422, and 404 (a record it names);
- path or query parameters: 422, and 404 (a record they name);
- a method that writes: 409 (a concurrent change lost the race).

A route that can answer more (sign-in's 429) adds it with :func:`error_responses`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field
from pydantic.json_schema import JsonSchemaMode, models_json_schema

_REF = "#/components/schemas/{model}"


class ErrorDetailOut(BaseModel):
    """One problem inside a larger input: a field, or feature N of a FeatureCollection."""

    code: str = Field(description="Stable code, e.g. `field.missing`.")
    message: str = Field(description="In the client's language (Content-Language).")
    path: str | None = Field(default=None, description="Where, e.g. `body.events.3.permit`.")
    feature: int | None = Field(default=None, description="Index of the feature at fault.")


class ErrorBodyOut(BaseModel):
    code: str = Field(description="Stable code, e.g. `auth.required`, `permit.not_found`.")
    message: str = Field(description="In the client's language (Content-Language).")
    details: list[ErrorDetailOut] = Field(default_factory=list)


class ErrorOut(BaseModel):
    """Every error the API answers."""

    error: ErrorBodyOut


DESCRIPTIONS: dict[int, str] = {
    400: "The request could not be read (malformed JSON or Content-Length).",
    401: "No valid token (WWW-Authenticate: Bearer).",
    403: "The caller may not do this.",
    404: "A record the request names does not exist or is not visible to the caller.",
    405: "The method is not allowed on this path (see Allow).",
    406: "None of the media types the Accept header allows can be given here.",
    409: "A conflict with the record's state, or a concurrent change; nothing was stored.",
    413: "The body is larger than the hub's limit.",
    422: "The request is not valid; `details` name each bad field.",
    429: "Too many attempts; see Retry-After.",
    503: "The hub is busy; try again (see Retry-After).",
}

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Statuses by (METHOD, path) for a route whose own module cannot declare them.
Extra = Mapping[tuple[str, str], Iterable[int]]
_DOCUMENTED = frozenset(str(status) for status in DESCRIPTIONS)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that can answer statuses its dependencies do not imply."""
    return {status: {"model": ErrorOut, "description": DESCRIPTIONS[status]} for status in statuses}


def statuses_of(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what its OpenAPI entry says it takes."""
    statuses = {503}
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        statuses |= {401, 403}
    if "requestBody" in operation:
        statuses |= {400, 404, 413, 422}
    if parameters:
        statuses |= {404, 422}
    if method.upper() in _WRITES:
        statuses.add(409)
    statuses |= {int(status) for status in operation.get("responses", {}) if status in _DOCUMENTED}
    return statuses


def _extra_schemas() -> dict[str, Any]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorOut, "serialization")]
    models += [(model, "validation") for model in _BODY_MODELS]
    _, defs = models_json_schema(models, ref_template=_REF)
    schemas: dict[str, Any] = defs["$defs"]
    return schemas


def contract_openapi(app: FastAPI, also: Extra | None = None) -> dict[str, Any]:
    """The OpenAPI document with every operation's error statuses and the real error body;
    ``also`` adds statuses by (method, path) for routes that cannot say them themselves."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update(_extra_schemas())
    error_content = {"application/json": {"schema": {"$ref": _REF.format(model="ErrorOut")}}}
    for path_name, path in schema["paths"].items():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            extra = set((also or {}).get((method.upper(), path_name), ()))
            for status in sorted(statuses_of(method, operation) | extra):
                responses[str(status)] = {
                    "description": DESCRIPTIONS[status],
                    "content": error_content,
                }
    app.openapi_schema = schema
    return schema


def install_openapi(app: FastAPI, also: Extra | None = None) -> None:
    """Serve :func:`contract_openapi` as ``/openapi.json``."""

    def openapi() -> dict[str, Any]:
        return contract_openapi(app, also)

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


_BODY_MODELS: list[type[BaseModel]] = []


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra=`` for a route that reads its body loosely (to judge each item alone)
    but promises clients the shape of ``model``."""
    _BODY_MODELS.append(model)
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": _REF.format(model=model.__name__)}}
            },
        }
    }
