"""A permit's rules: its statuses and what may change them, the conditions it carries, the
purposes of the keys that sign it, and the names it goes by. Pure: no storage, no web.

A permit is issued *for* something it knows only as an opaque reference (a number) and a
version of it; the same reference across versions is one series, with one token id (``cti``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tansiq.core.errors import ErrorCategory, NotFound, TansiqError
from tansiq.core.i18n import N_

_CTI = re.compile(r"P-(\d{1,10})")


class PermitStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


# A permit in one of these may still be used or reinstated; any other status is its end.
LIVE = frozenset({PermitStatus.ACTIVE, PermitStatus.SUSPENDED})


class PermitAction(StrEnum):
    """What a co-signing authority may do to a permit after issue."""

    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"


# The states each action may start from, and where it leads.
PERMIT_ACTIONS: dict[PermitAction, tuple[frozenset[PermitStatus], PermitStatus]] = {
    PermitAction.SUSPEND: (frozenset({PermitStatus.ACTIVE}), PermitStatus.SUSPENDED),
    PermitAction.REVOKE: (
        frozenset({PermitStatus.ACTIVE, PermitStatus.SUSPENDED}),
        PermitStatus.REVOKED,
    ),
    PermitAction.REINSTATE: (frozenset({PermitStatus.SUSPENDED}), PermitStatus.ACTIVE),
}


class KeyPurpose(StrEnum):
    """What a signing key signs: permits (an authority's) or the trust list and revocations
    (the hub's governance key)."""

    PERMIT = "permit"
    GOVERNANCE = "governance"


class ConditionKind(StrEnum):
    VIA_CHECKPOINTS = "via_checkpoints"
    DAYLIGHT_ONLY = "daylight_only"
    ESCORT_REQUIRED = "escort_required"
    FREE_TEXT = "free_text"


@dataclass(frozen=True)
class Condition:
    """One condition on a permit, as an authority sets it when it approves."""

    kind: ConditionKind
    checkpoints: tuple[str, ...] = ()
    text: str = ""

    def as_json(self) -> dict[str, object]:
        shown: dict[str, object] = {"kind": self.kind.value}
        if self.checkpoints:
            shown["checkpoints"] = list(self.checkpoints)
        if self.text:
            shown["text"] = self.text
        return shown

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Condition:
        """The inverse of :meth:`as_json`."""
        return cls(
            kind=ConditionKind(data["kind"]),
            checkpoints=tuple(data.get("checkpoints", ())),
            text=str(data.get("text", "")),
        )

    @property
    def detail(self) -> str:
        """What a reader needs besides the kind: the checkpoints, or the text."""
        return ", ".join(self.checkpoints) or self.text


class PermitNotFound(NotFound):
    code = "permit.not_found"
    message = N_("No permit {permit}.")


class PermitStateConflict(TansiqError):
    code = "permit.wrong_state"
    message = N_('A permit that is "{status}" cannot be {action}.')
    category = ErrorCategory.CONFLICT


def status_after(current: PermitStatus, action: PermitAction) -> PermitStatus:
    """Where ``action`` takes a permit that is ``current``, or :class:`PermitStateConflict`."""
    allowed, target = PERMIT_ACTIONS[action]
    if current not in allowed:
        raise PermitStateConflict(status=current.value, action=action.value)
    return target


def permit_cti(reference: int) -> str:
    """The permit's id in its token and on revocation lists, the same for every version."""
    return f"P-{reference:06d}"


def reference_of_cti(cti: str) -> int | None:
    """The reference a permit id names (the inverse of :func:`permit_cti`), or ``None`` for
    text that is not one."""
    match = _CTI.fullmatch(cti)
    return None if match is None else int(match.group(1))


def permit_number(reference: int, version: int) -> str:
    """The number a permit version goes by: its ``cti`` and its version."""
    return f"{permit_cti(reference)}-{version}"
