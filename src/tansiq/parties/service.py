"""Use cases for parties, users and API tokens. Services flush; the edge commits."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tansiq.core.clock import Clock, ensure_utc
from tansiq.core.errors import ErrorCategory, NotFound, TansiqError, Unauthenticated
from tansiq.core.i18n import N_, NP_
from tansiq.core.text import BilingualText
from tansiq.db.unit_of_work import begin_writing, record_after
from tansiq.jobs.service import enqueue
from tansiq.ledger.service import record_entry
from tansiq.parties import access
from tansiq.parties.domain import (
    PartyKind,
    Principal,
    Role,
    check_party_code,
    check_password,
    check_roles,
    check_username,
)
from tansiq.parties.ledger_facts import party_content, user_content
from tansiq.parties.models import (
    ApiTokenRecord,
    PartyRecord,
    SignInCounterRecord,
    UserRecord,
    UserRoleRecord,
)
from tansiq.parties.repository import PartyRepository
from tansiq.parties.throttle import RULES, Counter, ThrottleKind, after_failure, locked_for

TOKEN_PREFIX = "tq_"  # noqa: S105 - a public marker that makes leaked tokens easy to scan for
# argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes).
# "minimal" makes a hash in microseconds instead of about a tenth of a second, for the test
# suite only (Settings refuses it elsewhere); a hash made with either cost verifies under the
# other, and signing in rehashes it to the cost in force.
PASSWORD_HASHERS: Final = {
    "standard": PasswordHasher(),
    "minimal": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}
_hasher = PASSWORD_HASHERS["standard"]


def use_password_hash_cost(cost: str) -> None:
    """Hash new passwords at ``cost`` (the setting ``password_hash_cost``) in this process."""
    global _hasher  # one cost per process, set when the hub starts
    _hasher = PASSWORD_HASHERS[cost]


class PartyNotFound(NotFound):
    code = "party.not_found"
    message = N_('No party "{party}".')


class UserNotFound(NotFound):
    code = "user.not_found"
    message = N_('No user "{user}".')


class PartyExists(TansiqError):
    code = "party.exists"
    message = N_('A party with the code "{party}" already exists.')
    category = ErrorCategory.CONFLICT


class UserExists(TansiqError):
    code = "user.exists"
    message = N_('The username "{user}" is taken.')
    category = ErrorCategory.CONFLICT


class TokenNotFound(NotFound):
    code = "auth.token_not_found"
    message = N_("No API token {token}.")


class HubExists(TansiqError):
    code = "party.hub_exists"
    message = N_("There is one hub party; a second cannot be created.")
    category = ErrorCategory.CONFLICT


class BadCredentials(Unauthenticated):
    code = "auth.bad_credentials"
    message = N_("Wrong username or password.")


class TokenNotValid(Unauthenticated):
    code = "auth.bad_token"
    message = N_("The API token is unknown, expired or revoked.")


@dataclass(frozen=True)
class IssuedToken:
    """A new API token; ``secret`` is shown once and never stored."""

    token_id: int
    secret: str


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


AUTHORITY_CREATED = "party.authority_created"


def create_party(
    session: Session, *, code: str, kind: PartyKind, name: BilingualText, clock: Clock
) -> PartyRecord:
    repo = PartyRepository(session)
    code = check_party_code(code)
    if repo.party_by_code(code) is not None:
        raise PartyExists(party=code)
    # The hub's admins are everyone's admins: there is exactly one hub, made at setup.
    if kind is PartyKind.HUB and repo.parties(PartyKind.HUB.value):
        raise HubExists
    record = PartyRecord(
        code=code, kind=kind, name_ar=name.ar, name_en=name.en, created_at=clock.now()
    )
    _add_unique(repo, record, PartyExists(party=code))
    if kind is PartyKind.AUTHORITY:
        # Its signing key is made at once by the job worker (permits listens for this), so the
        # trust lists checkpoints fetch hold it before the authority's first permit.
        enqueue(
            session,
            kind=AUTHORITY_CREATED,
            payload={"party_id": record.id},
            run_at=record.created_at,
            dedupe_key=f"{AUTHORITY_CREATED}:{record.id}",
            clock=clock,
        )
    record_entry(
        session,
        kind="party.created",
        subject=f"party:{record.id}",
        content=party_content(record),
        at=record.created_at,
        private=False,
    )
    return record


def get_party(session: Session, ref: str | int) -> PartyRecord:
    """A party by id or code."""
    repo = PartyRepository(session)
    record = repo.party(ref) if isinstance(ref, int) else repo.party_by_code(ref)
    if record is None:
        raise PartyNotFound(party=str(ref))
    return record


def create_user(
    session: Session,
    *,
    party: PartyRecord,
    username: str,
    display_name: str,
    password: str,
    roles: frozenset[Role],
    clock: Clock,
    locale: str = "en",
) -> UserRecord:
    repo = PartyRepository(session)
    username = check_username(username)
    check_password(password)
    check_roles(party.kind, roles)
    if repo.user_by_username(username) is not None:
        raise UserExists(user=username)
    record = UserRecord(
        party_id=party.id,
        username=username,
        display_name=BilingualText(display_name, display_name).en,
        password_hash=_hasher.hash(password),
        locale=locale,
        is_active=True,
        created_at=clock.now(),
        roles=[UserRoleRecord(role=role) for role in sorted(roles)],
    )
    _add_unique(repo, record, UserExists(user=username))
    record_entry(
        session,
        kind="user.created",
        subject=f"user:{record.id}",
        content=user_content(record, roles),
        at=record.created_at,
    )
    return record


def set_locale(session: Session, principal: Principal, locale: str) -> None:
    """The user's own language, for their pages on any device and their e-mail."""
    user = PartyRepository(session).user(principal.user_id)
    if user is not None and user.locale != locale:
        user.locale = locale


def principal_of(user: UserRecord) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        party_id=user.party_id,
        party_kind=user.party.kind,
        roles=frozenset(row.role for row in user.roles),
    )


class SignInLocked(TansiqError):
    code = "auth.locked"
    category = ErrorCategory.TOO_MANY
    message = NP_(
        "Too many failed sign-ins. Try again in {count} second.",
        "Too many failed sign-ins. Try again in {count} seconds.",
    )

    def __init__(self, seconds: int) -> None:
        super().__init__(count=seconds)
        self.retry_after = seconds


@dataclass(frozen=True)
class SignedIn:
    user: UserRecord
    token: IssuedToken


def sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    clock: Clock,
    address: str | None,
    label: str,
    ttl: timedelta | None,
) -> SignedIn:
    """Check the credentials (else :class:`BadCredentials`) and issue a token for them.

    Throttled (:mod:`tansiq.parties.throttle`): while the username's or the client
    ``address``'s counter is locked the answer is :class:`SignInLocked`, before any password
    is hashed; a failure is counted even though the request's own unit of work fails.

    The password check (argon2, slow on purpose) runs while the unit only reads; the unit
    starts writing after it, so SQLite's write lock is held for the token's insert alone and
    sign-ins do not hold up every other writer for the length of a hash.
    """
    user, rehashed = _check_credentials(session, username, password, clock, address)
    begin_writing(session)
    if rehashed is not None:
        user.password_hash = rehashed
    return SignedIn(user, issue_token(session, user, name=label, clock=clock, ttl=ttl))


def _check_credentials(
    session: Session, username: str, password: str, clock: Clock, address: str | None
) -> tuple[UserRecord, str | None]:
    """The user, and the password's new hash when the hash's parameters are out of date."""
    name = username.strip().lower()
    keys = [(ThrottleKind.USERNAME, name[:254])]
    if address:
        keys.append((ThrottleKind.ADDRESS, address[:254]))
    now = clock.now()
    repo = PartyRepository(session)
    counters = repo.sign_in_counters(keys)
    waits = [
        wait for key in keys if (wait := locked_for(_counter(counters.get(key)), now)) is not None
    ]
    if waits:
        raise SignInLocked(seconds=math.ceil(max(waits).total_seconds()))
    user = repo.user_by_username(name)
    if user is None or not user.is_active:
        # Hash anyway so timing does not reveal which usernames exist.
        _hasher.hash(password)
        _count_failure(session, keys, now)
        raise BadCredentials
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        _count_failure(session, keys, now)
        raise BadCredentials from None
    rehashed = _hasher.hash(password) if _hasher.check_needs_rehash(user.password_hash) else None
    if keys[0] in counters:
        record_after(session, lambda later: PartyRepository(later).forget_sign_in_counter(*keys[0]))
    return user, rehashed


def _counter(record: SignInCounterRecord | None) -> Counter | None:
    if record is None:
        return None
    return Counter(
        failures=record.failures,
        last_failure_at=ensure_utc(record.last_failure_at),
        locked_until=None if record.locked_until is None else ensure_utc(record.locked_until),
    )


def _count_failure(session: Session, keys: list[tuple[ThrottleKind, str]], now: datetime) -> None:
    """Count a failed sign-in against each key, in a unit of its own after this one fails."""

    def count(later: Session) -> None:
        repo = PartyRepository(later)
        stored = repo.sign_in_counters(keys)
        for kind, key in keys:
            record = stored.get((kind, key))
            counter = after_failure(_counter(record), RULES[kind], now)
            if record is None:
                record = SignInCounterRecord(kind=kind, key=key, failures=0, last_failure_at=now)
                repo.add(record)
            record.failures = counter.failures
            record.last_failure_at = counter.last_failure_at
            record.locked_until = counter.locked_until

    record_after(session, count, even_if_failed=True)


def issue_token(
    session: Session, user: UserRecord, *, name: str, clock: Clock, ttl: timedelta | None
) -> IssuedToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    record = ApiTokenRecord(
        user_id=user.id,
        name=BilingualText(name, name).en[:100],
        token_hash=hash_token(secret),
        created_at=now,
        expires_at=None if ttl is None else now + ttl,
    )
    repo = PartyRepository(session)
    repo.add(record)
    repo.flush()
    return IssuedToken(token_id=record.id, secret=secret)


def principal_for_token(session: Session, secret: str, clock: Clock) -> Principal:
    """Who holds ``secret``; unknown, expired and revoked tokens are refused alike."""
    repo = PartyRepository(session)
    token = repo.token_by_hash(hash_token(secret))
    now = clock.now()
    if token is None or token.revoked_at is not None:
        raise TokenNotValid
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenNotValid
    user = repo.user(token.user_id)
    if user is None or not user.is_active:
        raise TokenNotValid
    if token.last_used_at is None or token.last_used_at <= now - LAST_USE_PRECISION:
        _note_use_later(session, token.id, now)
    return principal_of(user)


# "Last used" is kept to within five minutes: a token in constant use costs one short write
# every five minutes, after the request's own work, instead of a write on every read.
LAST_USE_PRECISION: Final = timedelta(minutes=5)


def _note_use_later(session: Session, token_id: int, now: datetime) -> None:
    def note(later: Session) -> None:
        PartyRepository(later).note_token_use(token_id, now, now - LAST_USE_PRECISION)

    record_after(session, note)


def revoke_token(session: Session, principal: Principal, token_id: int, clock: Clock) -> None:
    repo = PartyRepository(session)
    token = repo.token(token_id)
    owner = None if token is None else repo.user(token.user_id)
    if token is None or owner is None:
        raise TokenNotFound(token=token_id)
    if token.user_id != principal.user_id:
        access.require(access.can_manage_users(principal, owner.party_id))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
    repo.flush()


def _add_unique(
    repo: PartyRepository, record: PartyRecord | UserRecord, error: TansiqError
) -> None:
    """Add and flush ``record``, turning a lost race on a unique column into the coded error."""
    try:
        with repo.session.begin_nested():
            repo.add(record)
            repo.flush()
    except IntegrityError:
        raise error from None
