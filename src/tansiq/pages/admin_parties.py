"""Administering parties and their users: list and create parties (the hub's admins), list
and create a party's users with the roles its kind allows (the party's own admins too)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Response

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_, Locale
from tansiq.core.text import BilingualText
from tansiq.pages.admin_base import (
    FRESH,
    BadChoice,
    FormState,
    PostedForm,
    act,
    act_on_page,
    label,
    name_of,
    view,
)
from tansiq.pages.screen import Current, Screen
from tansiq.parties import access, service
from tansiq.parties.domain import MIN_PASSWORD_LENGTH, ROLES_BY_KIND, PartyKind, Principal, Role
from tansiq.parties.repository import PartyRepository

router = APIRouter(include_in_schema=False)
GENERATED_PASSWORD_BYTES = 12  # 16 URL-safe characters, above the minimum length


class NoRoles(TansiqError):
    code = "user.no_roles"
    message = N_("Choose at least one role.")


def _party_rows(s: Screen, me: Principal) -> list[dict[str, Any]]:
    return [
        {
            "code": party.code,
            "kind": label(s, f"kind_{party.kind}"),
            "name": name_of(party, s.locale),
            "manage": access.can_manage_users(me, party.id),
        }
        for party in PartyRepository(s.session).parties()
        if access.can_view_users(me, party.id)
    ]


def _parties(s: Screen, me: Principal, form: FormState = FRESH, *, created: str = "") -> Response:
    kinds = [
        {"value": kind.value, "label": label(s, f"kind_{kind.value}")}
        for kind in PartyKind
        if kind is not PartyKind.HUB
    ]
    return s.show(
        "admin_parties.html",
        form.status,
        parties=_party_rows(s, me),
        may_create=access.can_create_party(me),
        kinds=kinds,
        **form.shown(),
        created=created,
    )


@router.get("/admin/parties")
def parties_page(s: Current, created: str = "") -> Response:
    return view(s, lambda me: _parties(s, me, created=created[:40]))


@router.post("/admin/parties")
def create_party(s: Current, body: PostedForm) -> Response:
    def do(me: Principal) -> Response:
        access.require(access.can_create_party(me))
        kind = body.text("kind")
        if kind not in tuple(PartyKind):
            raise BadChoice(field="kind")
        record = service.create_party(
            s.session,
            code=body.text("code").strip(),
            kind=PartyKind(kind),
            name=BilingualText(body.text("name_ar"), body.text("name_en")),
            clock=s.hub.clock,
        )
        return s.go(f"/admin/parties?created={record.code}")

    return act_on_page(s, body, do, _parties, body.values())


def _users(
    s: Screen,
    me: Principal,
    code: str,
    form: FormState = FRESH,
    *,
    chosen: list[str] | None = None,
    created: dict[str, str] | None = None,
) -> Response:
    party = service.get_party(s.session, code[:40])
    access.require(access.can_manage_users(me, party.id))
    allowed = ROLES_BY_KIND[PartyKind(party.kind)]
    users = [
        {
            "username": user.username,
            "display_name": user.display_name,
            "roles": [label(s, f"role_{row.role}") for row in user.roles],
            "active": user.is_active,
        }
        for user in PartyRepository(s.session).users_of(party.id)
    ]
    return s.show(
        "admin_users.html",
        form.status,
        party={
            "code": party.code,
            "name": name_of(party, s.locale),
            "kind": label(s, f"kind_{party.kind}"),
        },
        users=users,
        roles=[
            {"value": role.value, "label": label(s, f"role_{role.value}")}
            for role in Role
            if role in allowed
        ],
        chosen=chosen or [],
        minimum=MIN_PASSWORD_LENGTH,
        locales=[("ar", "العربية"), ("en", "English")],
        **form.shown(),
        created=created,
    )


@router.get("/admin/parties/{code}/users")
def users_page(code: str, s: Current) -> Response:
    created = s.page.take_once("user")
    return view(s, lambda me: _users(s, me, code, created=created))


@router.post("/admin/parties/{code}/users")
def create_user(code: str, s: Current, body: PostedForm) -> Response:
    chosen = [role for role in body.form.get("roles", []) if len(role) <= 40][: len(Role) + 1]

    def do(me: Principal) -> Response:
        party = service.get_party(s.session, code[:40])
        access.require(access.can_manage_users(me, party.id))
        roles = set()
        for role in chosen:
            if role not in tuple(Role):
                raise BadChoice(field="roles")
            roles.add(Role(role))
        if not roles:
            raise NoRoles
        locale = body.text("locale") or Locale.EN.value
        if locale not in tuple(Locale):
            raise BadChoice(field="locale")
        password = body.text("password")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
        record = service.create_user(
            s.session,
            party=party,
            username=body.text("username"),
            display_name=body.text("display_name"),
            password=password,
            roles=frozenset(roles),
            clock=s.hub.clock,
            locale=locale,
        )
        # Shown once, on the page this redirects to: the password is stored hashed.
        s.page.once = {
            "kind": "user",
            "username": record.username,
            "password": password if generated else "",
        }
        s.page.changed = True
        return s.go(f"/admin/parties/{party.code}/users")

    return act(
        s,
        body,
        do,
        lambda me, error, status: _users(
            s, me, code, FormState(error, body.values(), status), chosen=chosen
        ),
    )
