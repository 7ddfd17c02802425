"""The route a permit carries: the applied-for route, or the least simplification of it that
keeps the token inside one printable QR code.

A permit's token must fit a QR code of version 25 at error correction Q (a symbol that still
scans from an A5 print with a creased corner). The route is the only part of the claims whose
size the applicant drives, so it is the part that gives way: it is simplified (Douglas-Peucker
in metres, keeping the applied-for vertices it keeps) with the smallest tolerance that makes
the token fit, and never by more than half the corridor width, so the carried line stays
inside the corridor the authorities approved. A route that cannot fit even then is refused
when it is submitted, not when the last authority signs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Final

import shapely
from shapely.geometry import LineString

from tansiq.core.errors import InvalidInput
from tansiq.core.i18n import N_
from tansiq.core.projection import project, utm_epsg
from tansiq.permits.claims import MAX_ROUTE_POINTS, PermitClaims, claims_to_cbor
from tansiq.permits.keys import ALG_EDDSA, KID_LENGTH
from tansiq.permits.token import assemble

Point = tuple[float, float]

QR_MAX_VERSION: Final = 25
# Alphanumeric characters a version 25 symbol holds at level Q (ISO/IEC 18004 table 7);
# tests/permits/test_route_fit.py checks the figure against segno.
QR_MAX_CHARACTERS: Final = 1041
# Bisection steps over the tolerance: half a 10 km corridor in 2**-14 steps is 0.3 m, finer
# than the 1e-5 degree (about 1 m) the token stores points at.
_STEPS: Final = 14
# What may still differ between the token sized here and the one signed later: the issue time,
# the version number, how zlib packs random signature bytes. A few bytes at most.
SAFETY_MARGIN: Final = 12
SIGNATURE_LENGTH: Final = 64  # Ed25519, and ES256 as r || s


class PermitTooLarge(InvalidInput):
    code = "permit.too_large"
    message = N_(
        "With these conditions the permit no longer fits its QR code, however far its route is "
        "simplified within the corridor. Shorten the conditions."
    )


class RouteTooComplex(InvalidInput):
    code = "permit.route_too_complex"
    message = N_(
        "This route cannot be carried on a printable permit: even simplified within the "
        "corridor, it leaves no room in the QR code. Widen the corridor, shorten the route or "
        "give it as checkpoints."
    )


def fits_qr(length: int) -> bool:
    """Whether a token text of ``length`` characters fits one version 25 QR code at level Q."""
    return length <= QR_MAX_CHARACTERS


def simplify_route(route: Sequence[Point], tolerance_m: float) -> tuple[Point, ...]:
    """``route``'s vertices that Douglas-Peucker keeps at ``tolerance_m`` metres: always the
    first and last, and only points of the route itself (none moved, none made up)."""
    if tolerance_m <= 0 or len(route) <= 2:
        return tuple(route)
    start = route[0]
    metric = project(LineString(route), utm_epsg(*start))
    projected = shapely.get_coordinates(metric)
    index_of = {(float(x), float(y)): i for i, (x, y) in enumerate(projected)}
    kept = shapely.get_coordinates(metric.simplify(tolerance_m, preserve_topology=False))
    return tuple(route[index_of[(float(x), float(y))]] for x, y in kept)


def fit_route(
    route: Sequence[Point], corridor_m: float, fits: Callable[[tuple[Point, ...]], bool]
) -> tuple[Point, ...]:
    """The route the permit carries: ``route`` itself when ``fits`` accepts it, else its least
    simplification (within half of ``corridor_m``) that ``fits`` accepts.

    ``fits`` answers whether a token carrying that route fits the QR code. A larger tolerance
    keeps fewer points, so the smallest fitting tolerance is found by bisection; whatever the
    search meets, the answer is always a route that ``fits`` accepted.
    """
    whole = tuple(route)
    if fits(whole):
        return whole
    low, high = 0.0, corridor_m / 2
    best = simplify_route(whole, high)
    if not fits(best):
        raise RouteTooComplex
    for _ in range(_STEPS):
        middle = (low + high) / 2
        candidate = simplify_route(whole, middle)
        if fits(candidate):
            high, best = middle, candidate
        else:
            low = middle
    return best


def token_length(claims: PermitClaims, signers: int) -> int:
    """The length of the token text ``claims`` make once ``signers`` authorities have signed
    (random kids and signatures: they compress no better than real ones)."""
    kids = tuple(os.urandom(KID_LENGTH) for _ in range(signers))
    payload = claims_to_cbor(replace(claims, required_kids=kids))
    return len(assemble(payload, [(ALG_EDDSA, kid, os.urandom(SIGNATURE_LENGTH)) for kid in kids]))


def fit_claims(
    route: Sequence[Point],
    corridor_m: float,
    signers: int,
    carrying: Callable[[tuple[Point, ...]], PermitClaims],
) -> PermitClaims:
    """The claims ``carrying`` makes with the route the token can carry (see
    :func:`fit_route`), once ``signers`` authorities have signed.

    Raises :class:`RouteTooComplex` when the route cannot be made to fit, or
    :class:`PermitTooLarge` when it could without the conditions but cannot with them.
    """

    def fits_with(conditions: bool) -> Callable[[tuple[Point, ...]], bool]:
        def fits(candidate: tuple[Point, ...]) -> bool:
            if len(candidate) > MAX_ROUTE_POINTS:
                return False
            claims = carrying(candidate)
            if not conditions:
                claims = replace(claims, conditions=())
            return fits_qr(token_length(claims, signers) + SAFETY_MARGIN)

        return fits

    try:
        carried = fit_route(route, corridor_m, fits_with(conditions=True))
    except RouteTooComplex:
        fit_route(route, corridor_m, fits_with(conditions=False))
        raise PermitTooLarge from None
    return carrying(carried)
