"""Telling parties about a notification through the outbox (inbox, webhooks, e-mail), with
names and times that read the same in both languages, and recording it on the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.i18n import Locale
from tansiq.core.wording import in_both_scripts, listed
from tansiq.deconfliction.messages import Notice
from tansiq.deconfliction.models import NotificationRecord
from tansiq.deconfliction.planning import reference
from tansiq.ledger.service import record_entry
from tansiq.notify.models import EventRecord
from tansiq.notify.service import notify_party
from tansiq.parties.directory import parties, party
from tansiq.parties.domain import PartyKind

NONE = "—"


def tell(
    session: Session,
    party_id: int,
    notice: Notice,
    notification: NotificationRecord,
    clock: Clock,
    **params: str | int | float,
) -> EventRecord:
    return notify_party(
        session,
        party_id=party_id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        params={
            "reference": reference(notification.kind, notification.id),
            "notifier": party_name(session, notification.notifier_party_id),
            **notifier_names(session, notification.notifier_party_id),
            **params,
        },
        subject=f"notification:{notification.id}",
        clock=clock,
    )


def record(
    session: Session,
    kind: str,
    notification: NotificationRecord,
    content: dict[str, Any],
    at: datetime,
) -> None:
    """Record a state change of ``notification`` on the ledger, in this transaction."""
    record_entry(
        session,
        kind=f"deconfliction.{kind}",
        subject=f"notification:{notification.id}",
        content={"notification": notification.id, **content},
        at=at,
    )


def party_name(session: Session, party_id: int) -> str:
    found = party(session, party_id)
    return "" if found is None else (found.name_en or found.name_ar)


def notifier_names(session: Session, party_id: int) -> dict[str, str]:
    """``notifier_ar``/``notifier_en``: the name in each reader's script."""
    return party_names(session, party_id, "notifier")


def party_names(session: Session, party_id: int, key: str = "party") -> dict[str, str]:
    """``{key}``, ``{key}_ar`` and ``{key}_en``: a party's name for a notice, in each reader's
    script (``{key}`` alone for whatever reads the parameters without a language)."""
    found = party(session, party_id)
    ar, en = ("", "") if found is None else (found.name_ar, found.name_en)
    return {key: en or ar, **in_both_scripts(key, ar, en)}


def party_code(session: Session, party_id: int) -> str:
    found = party(session, party_id)
    return "" if found is None else found.code


def hub_party_ids(session: Session) -> list[int]:
    return [p.id for p in parties(session, PartyKind.HUB)]


def when(moment: datetime) -> str:
    """A time as stored in a notice (ISO 8601, UTC): each reader sees it on the town's clock,
    in their language's format (tansiq.core.wording)."""
    return moment.isoformat(timespec="minutes")


def names(reasons: list[dict[str, Any]], kind: str, key: str) -> dict[str, str]:
    """``{key}_ar``/``{key}_en``: the zones or checkpoints among ``reasons``, listed in each
    reader's script and language (``{key}`` alone: the English list)."""
    found = [
        (why.get("name_ar") or "", why.get("name_en") or "")
        for why in reasons
        if why["reason"] == kind
    ]
    if not found:
        return {key: NONE, **{f"{key}_{locale.value}": NONE for locale in Locale}}
    joined = listed(key, found)
    return {key: joined[f"{key}_{Locale.EN.value}"], **joined}


def conflicting(reasons: list[dict[str, Any]]) -> str:
    return ", ".join(why["reference"] for why in reasons if why["reason"] == "conflict") or NONE
