"""What a permit is issued on, as plain values: who may move what, by which vehicle, along
which route and when, under whose conditions, signed by which authorities. Whoever asks for a
permit (today, a clearance whose every authority approved) states these; ``permits`` needs
nothing else. Pure: no storage, no web."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tansiq.permits import claims
from tansiq.permits.domain import Condition, permit_cti
from tansiq.permits.route_fit import fit_claims

# What the token carries of the free text, cut with an ellipsis past these lengths (the printed
# page shows it whole). Chosen so that the largest permit of three signers, with both names
# and the cargo at these lengths in the least compressible script, still fits its QR code
# (tests/permits/test_token_size.py).
MAX_CARGO_SUMMARY = 100
MAX_NAME_IN_TOKEN = 40


@dataclass(frozen=True)
class Holder:
    """The driver: names as written, and the salted hash of the ID number (never the number)."""

    name_ar: str
    name_latin: str
    id_hash: bytes
    id_salt: bytes

    @property
    def names(self) -> str:
        """Both names as printed, Arabic first."""
        return " / ".join(n for n in (self.name_ar, self.name_latin) if n)


@dataclass(frozen=True)
class CargoLine:
    quantity: float
    unit: str
    description: str
    un_number: str | None = None

    @property
    def printed(self) -> str:
        return f"{self.quantity:g} {self.unit} {self.description}"


@dataclass(frozen=True)
class PermitFacts:
    """What the permit describes: the movement it allows."""

    holder: Holder
    vehicle: claims.Vehicle
    cargo: tuple[CargoLine, ...]
    origin: str
    destination: str
    route: tuple[tuple[float, float], ...]
    checkpoints: tuple[str, ...]  # in route order
    # The corridor the authorities approved around the route: the token may carry the route
    # simplified by up to half of it (see permits.route_fit).
    corridor_m: float = 0.0

    @property
    def cargo_printed(self) -> str:
        return "; ".join(line.printed for line in self.cargo)

    @property
    def cargo_summary(self) -> str:
        """The cargo in the token: every line with its UN number, cut to the claim's limit."""
        summary = "; ".join(
            line.printed + (f" ({line.un_number})" if line.un_number else "") for line in self.cargo
        )
        return _cut(summary, MAX_CARGO_SUMMARY)


@dataclass(frozen=True)
class PermitTerms:
    """A permit to issue. ``reference`` names what it is issued for (opaque to ``permits``:
    permits with the same reference are versions of one permit) and ``reference_version``
    which version of that it carries. ``conditions`` pairs each condition with the id of the
    authority that set it."""

    reference: int
    reference_version: int
    facts: PermitFacts
    valid_from: datetime
    valid_until: datetime
    authority_ids: tuple[int, ...]
    conditions: tuple[tuple[int, Condition], ...] = ()


def permit_claims(
    facts: PermitFacts,
    *,
    issuer: str,
    reference: int,
    version: int,
    issued_at: datetime,
    valid_from: datetime,
    valid_until: datetime,
    conditions: tuple[Condition, ...],
    signers: int,
) -> claims.PermitClaims:
    """What the token says once ``signers`` authorities have signed it: the route as the QR
    code can carry it (see :mod:`tansiq.permits.route_fit`). The required kids are a
    placeholder, filled in when signing."""

    def carrying(route: tuple[tuple[float, float], ...]) -> claims.PermitClaims:
        return claims.PermitClaims(
            issuer=issuer,
            cti=permit_cti(reference),
            version=version,
            iat=issued_at,
            nbf=valid_from,
            exp=valid_until,
            vehicle=facts.vehicle,
            driver=claims.Driver(
                name=_cut(facts.holder.name_latin or facts.holder.name_ar, MAX_NAME_IN_TOKEN),
                id_hash=facts.holder.id_hash,
                id_salt=facts.holder.id_salt,
                # Beside a Latin spelling, the Arabic one too: the officer reads either script.
                name_ar=_cut(facts.holder.name_ar, MAX_NAME_IN_TOKEN)
                if facts.holder.name_latin
                else "",
            ),
            cargo=facts.cargo_summary,
            required_kids=(b"\x00" * 8,),
            route=route,
            checkpoints=facts.checkpoints,
            conditions=tuple(
                claims.Condition(kind=c.kind.value, detail=_cut(c.detail, claims.MAX_TEXT))
                for c in conditions
            ),
        )

    return fit_claims(facts.route, facts.corridor_m, signers, carrying)


def _cut(text: str, limit: int) -> str:
    """``text`` as the token carries it: whole, or cut to ``limit`` characters with an
    ellipsis (the printed page shows it whole)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
