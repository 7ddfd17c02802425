"""The parties' pages: signing in and out, the reader's language, and the administrator's
overview, parties and users (the hub's admins create parties; a party's admins its users,
with the roles its kind allows)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response

from tansiq.core.errors import STATUS_BY_CATEGORY, TansiqError
from tansiq.core.i18n import N_, Locale
from tansiq.core.text import BilingualText
from tansiq.parties import access, directory, service
from tansiq.parties.admin_gate import act, act_on_page, view
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.directory import name_of
from tansiq.parties.domain import MIN_PASSWORD_LENGTH, ROLES_BY_KIND, PartyKind, Principal, Role
from tansiq.parties.service import revoke_token, set_locale, sign_in
from tansiq.web.deps import LANG_COOKIE, reads_only
from tansiq.web.forms import FRESH, BadChoice, FormState, PostedForm, label
from tansiq.web.screen import FormData, local_path, one
from tansiq.web.session import CsrfRejected, PageSession

router = APIRouter(include_in_schema=False)
GENERATED_PASSWORD_BYTES = 12  # 16 URL-safe characters, above the minimum length


@router.get("/login")
def login_form(s: Current, next: str | None = None) -> Response:
    if s.me is not None:
        return s.go(local_path(next))
    return s.show("login.html", next=local_path(next))


@router.post("/login")
@reads_only  # until the password is checked: sign_in starts writing after
def login(s: Current, form: FormData) -> Response:
    try:
        s.check_csrf(form)
        signed_in = sign_in(
            s.session,
            one(form, "username") or "",
            one(form, "password") or "",
            clock=s.hub.clock,
            address=s.request.client.host if s.request.client else None,
            label="web session",
            ttl=timedelta(days=s.hub.settings.token_ttl_days),
        )
    except TansiqError as error:
        s.session.rollback()
        status = STATUS_BY_CATEGORY[error.category]
        template = "error.html" if isinstance(error, CsrfRejected) else "login.html"
        return s.show(
            template,
            status,
            error=error.render(s.locale),
            next=local_path(one(form, "next")),
            username=one(form, "username") or "",
        )
    user, issued = signed_in.user, signed_in.token
    s.page = PageSession(token=issued.secret, token_id=issued.token_id)  # a new CSRF token too
    response = s.go(local_path(one(form, "next")))
    if LANG_COOKIE not in s.request.cookies and user.locale in tuple(Locale):
        _remember_language(response, user.locale)  # a new device speaks the user's language
    return response


@router.post("/logout")
def logout(s: Current, form: FormData) -> Response:
    try:
        s.check_csrf(form)
    except CsrfRejected as error:
        return s.error(error)
    if s.me is not None and s.page.token_id is not None:
        revoke_token(s.session, s.me, s.page.token_id, s.hub.clock)
    s.page, s.me = PageSession(), None
    return s.go("/login")


@router.get("/lang/{code}")
def choose_language(code: str, s: Current, next: str | None = None) -> Response:
    """Remember the reader's language (in the browser, and for a signed-in user in their
    profile, so their other devices and their e-mail follow) and go back where they were."""
    response = s.go(local_path(next))
    if code in tuple(Locale):
        _remember_language(response, code)
        if s.me is not None:
            set_locale(s.session, s.me, code)
    return response


def _remember_language(response: Response, code: str) -> None:
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)


@router.get("/admin")
def overview(s: Current) -> Response:
    def show(me: Principal) -> Response:
        party = directory.party(s.session, me.party_id)
        return s.show(
            "admin.html",
            hub_admin=access.is_hub_admin(me),
            party_code="" if party is None else party.code,
            party_name="" if party is None else name_of(party, s.locale),
            authorities=[
                name_of(p, s.locale) for p in directory.managed_authorities(s.session, me)
            ],
        )

    return view(s, show)


class NoRoles(TansiqError):
    code = "user.no_roles"
    message = N_("Choose at least one role.")


def _party_rows(s: Viewer, me: Principal) -> list[dict[str, Any]]:
    return [
        {
            "code": party.code,
            "kind": label(s, f"kind_{party.kind}"),
            "name": name_of(party, s.locale),
            "manage": access.can_manage_users(me, party.id),
        }
        for party in directory.parties(s.session)
        if access.can_view_users(me, party.id)
    ]


def _parties(s: Viewer, me: Principal, form: FormState = FRESH, *, created: str = "") -> Response:
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
    s: Viewer,
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
        for user in directory.users_of(s.session, party.id)
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
