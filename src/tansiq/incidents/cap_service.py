"""Use cases of advisories as CAP 1.2 and Atom: export one, import one as the importing party,
publish one to the public feed (or take it off), and the feed itself. Services flush; the edge
commits.

Need-to-know: every signed-in member sees every advisory (``incidents.access``), so any of them
may export one as CAP. The public Atom feed, which anyone may read without signing in, carries
only advisories their issuing party published, and only while they are in force; an imported
alert whose CAP scope is "Public" is published by the import.

An import is all or nothing: the document is read and mapped (pure, refusing hostile or
unsupported XML with a coded error) before anything is written; then the advisory is issued
through the same use case as one typed in, so its impact is assessed the same way.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.errors import ErrorCategory, NotFound, TansiqError
from tansiq.core.i18n import N_, Locale, translate
from tansiq.geo.repository import GeoRepository
from tansiq.incidents import access, service
from tansiq.incidents.atom import Entry, Feed, render_feed, tag_uri
from tansiq.incidents.cap import parse_alert, render_alert
from tansiq.incidents.cap_advisory import CapAdvisory, Issuer, advisory_alert, alert_message
from tansiq.incidents.cap_model import Alert, MsgType, Reference, shown
from tansiq.incidents.domain import ADVISORY_KIND_LABELS, AdvisoryChange, AdvisoryStatus
from tansiq.incidents.env import IncidentsEnv
from tansiq.incidents.ledger import record_change
from tansiq.incidents.models import AdvisoryRecord
from tansiq.incidents.repository_cap import CapRepository
from tansiq.incidents.schemas import AdvisoryIn
from tansiq.parties import access as party_access
from tansiq.parties.directory import parties_by_ids
from tansiq.parties.domain import Principal

FEED_LIMIT = 500
FEED_TITLE = N_("Tansiq: advisories in force")


class CapReferenceUnknown(NotFound):
    code = "cap.reference_unknown"
    message = N_("The CAP message cancels alerts this hub never imported; nothing was changed.")


class CapOwnAlert(TansiqError):
    code = "cap.own_alert"
    message = N_(
        'This CAP alert was sent by this hub itself ("{sender}"): its advisory is already here. '
        "Nothing was imported."
    )
    category = ErrorCategory.CONFLICT


class AdvisoryEnded(TansiqError):
    code = "advisory.ended"
    message = N_('This advisory is "{status}": only an advisory in force can be published.')
    category = ErrorCategory.CONFLICT


@dataclass(frozen=True)
class CapImport:
    """What an import did: the advisory issued (or found, for a message imported before) and
    the advisories it ended (an update or a cancel)."""

    advisory: AdvisoryRecord | None
    ended: Sequence[AdvisoryRecord]
    created: bool


# Export -----------------------------------------------------------------------------------


def export_advisory(session: Session, principal: Principal, advisory_id: int, sender: str) -> bytes:
    advisory = service.visible_advisory(session, principal, advisory_id)
    return render_alert(alerts_of(session, [advisory], sender)[0])


def alerts_of(session: Session, advisories: Sequence[AdvisoryRecord], sender: str) -> list[Alert]:
    """Each advisory as a CAP alert; a withdrawn one as the Cancel of its first alert."""
    names = parties_by_ids(session, {a.issuer_party_id for a in advisories})
    geo = GeoRepository(session)
    alerts = []
    for advisory in advisories:
        party = names.get(advisory.issuer_party_id)
        checkpoint = (
            None if advisory.checkpoint_id is None else geo.checkpoint(advisory.checkpoint_id)
        )
        issuer = Issuer(
            sender=sender,
            party_ar=party.name_ar if party else "",
            party_en=party.name_en if party else "",
            place_ar=checkpoint.name_ar if checkpoint else "",
            place_en=checkpoint.name_en if checkpoint else "",
        )
        content = CapAdvisory(
            kind=advisory.kind,
            geometry=advisory.geometry,
            checkpoint=checkpoint.code if checkpoint else None,
            valid_from=advisory.valid_from,
            valid_until=advisory.valid_until,
            severity=advisory.severity,
            description=advisory.description,
            public=advisory.public,
        )
        alerts.append(_alert(content, advisory, issuer, sender))
    return alerts


def _alert(content: CapAdvisory, advisory: AdvisoryRecord, issuer: Issuer, sender: str) -> Alert:
    """The first alert of an advisory; once it changed (its window moved, a party co-signed),
    an Update of that alert; once withdrawn, its Cancel. Each message has its own identifier,
    as CAP asks, and names the first alert in ``<references>``."""
    identifier = f"advisory-{advisory.id}"
    first = Reference(sender, identifier, advisory.created_at)
    if advisory.status is AdvisoryStatus.WITHDRAWN and advisory.ended_at is not None:
        return advisory_alert(
            content,
            identifier=f"{identifier}-withdrawn",
            issuer=issuer,
            sent=advisory.ended_at,
            msg_type=MsgType.CANCEL,
            references=(first,),
        )
    changed = int(advisory.updated_at.timestamp())
    if changed > int(advisory.created_at.timestamp()):
        return advisory_alert(
            content,
            identifier=f"{identifier}-{changed}",
            issuer=issuer,
            sent=advisory.updated_at,
            msg_type=MsgType.UPDATE,
            references=(first,),
        )
    return advisory_alert(content, identifier=identifier, issuer=issuer, sent=advisory.created_at)


# Import -----------------------------------------------------------------------------------


def import_cap(
    session: Session,
    principal: Principal,
    document: bytes,
    env: IncidentsEnv,
    *,
    max_bytes: int,
    own_sender: str,
) -> CapImport:
    """Issue the advisory a CAP 1.2 alert describes, as ``principal``'s party; an update also
    withdraws the advisories it replaces, a cancel only withdraws them. A message imported
    before changes nothing and answers the advisory it made. The hub's own alerts (e.g. read
    back from its own feed) are refused: importing them would copy their advisories."""
    party_access.require(access.can_issue(principal))
    message = alert_message(parse_alert(document, max_bytes=max_bytes))
    if message.sender == own_sender:
        raise CapOwnAlert(sender=shown(own_sender))
    repo = CapRepository(session)
    existing = repo.by_cap_identifier([message.identifier])
    if existing:
        return CapImport(existing[0], [], created=False)
    replaced = [
        a for a in repo.by_cap_identifier(message.references) if a.status is AdvisoryStatus.ACTIVE
    ]
    if message.advisory is None:  # a Cancel
        if not replaced:
            raise CapReferenceUnknown
        ended = _withdraw(session, principal, replaced, message.identifier, env)
        return CapImport(None, ended, created=False)
    content = message.advisory
    # Checked by the use case itself (lengths, personal data, the window, the geometry), with
    # its own coded errors, as for an advisory typed in.
    body = AdvisoryIn.model_construct(
        kind=content.kind,
        geometry=content.geometry,
        checkpoint=content.checkpoint,
        valid_from=content.valid_from,
        valid_until=content.valid_until,
        severity=content.severity,
        description=content.description,
        incident=None,
    )
    advisory = service.issue_advisory(session, principal, body, env)
    advisory.cap_identifier = message.identifier
    advisory.public = content.public
    session.flush()
    now = env.clock.now()
    msg_type = message.msg_type.value
    record_change(session, advisory, AdvisoryChange.CAP_IMPORTED, now, msg_type=msg_type)
    if content.public:  # published by the import: on the ledger as if the issuer published it
        record_change(session, advisory, AdvisoryChange.PUBLISHED, now, by=principal.user_id)
    ended = []
    if message.msg_type is MsgType.UPDATE:
        ended = _withdraw(session, principal, replaced, message.identifier, env)
    return CapImport(advisory, ended, created=True)


def _withdraw(
    session: Session,
    principal: Principal,
    advisories: Sequence[AdvisoryRecord],
    cap: str,
    env: IncidentsEnv,
) -> list[AdvisoryRecord]:
    """Withdraw what a CAP Update or Cancel replaces. The people's note stays empty (no
    English text a reader would see); the ledger says which CAP message ended it."""
    ended = []
    for advisory in advisories:
        ended.append(service.withdraw_advisory(session, principal, advisory.id, "", env.clock))
        change, now = AdvisoryChange.CAP_WITHDRAWN, env.clock.now()
        record_change(session, advisory, change, now, cap=cap, by=principal.user_id)
    return ended


# Publication and the feed ----------------------------------------------------------------


def set_public(
    session: Session, principal: Principal, advisory_id: int, public: bool, clock: Clock
) -> AdvisoryRecord:
    """Put an advisory in the public feed (and export it with CAP scope Public), or take it
    off: its issuing party, or the hub's admins."""
    advisory = service.visible_advisory(session, principal, advisory_id)
    party_access.require(access.can_end_advisory(principal, advisory.issuer_party_id))
    if advisory.status is not AdvisoryStatus.ACTIVE:
        raise AdvisoryEnded(status=advisory.status.value)
    if advisory.public is not public:
        now = clock.now()
        advisory.public = public
        advisory.updated_at = now
        session.flush()
        change = AdvisoryChange.PUBLISHED if public else AdvisoryChange.UNPUBLISHED
        record_change(session, advisory, change, now, by=principal.user_id)
    return advisory


@dataclass(frozen=True)
class FeedDocument:
    document: bytes
    etag: str  # the same while no entry changed (an empty feed's own time moves on)


def public_feed(
    session: Session,
    clock: Clock,
    *,
    sender: str,
    self_link: str,
    link_of: Callable[[int], str],
    locale: Locale,
) -> FeedDocument:
    """The Atom feed of the public advisories in force or to come, each with its CAP alert
    inline and, as CAP aggregators expect, linked at ``link_of(advisory id)``."""
    now = clock.now()
    advisories = CapRepository(session).public_current(now, FEED_LIMIT)
    alerts = alerts_of(session, advisories, sender)
    language = 0 if locale is Locale.AR else 1  # the alert's <info> blocks: Arabic, English
    entries = tuple(
        Entry(
            id=entry_id(sender, advisory),
            title=alert.infos[language].headline,
            published=advisory.created_at,
            updated=advisory.updated_at,
            summary=advisory.description or translate(ADVISORY_KIND_LABELS[advisory.kind], locale),
            alert=alert,
            link=link_of(advisory.id),
        )
        for advisory, alert in zip(advisories, alerts, strict=True)
    )
    feed = Feed(
        id=feed_id(sender),
        title=translate(FEED_TITLE, locale),
        author="Tansiq",
        language=locale,
        self_link=self_link,
        entries=entries,
        updated_if_empty=now,
    )
    basis = "\n".join(
        [self_link, locale.value, *(f"{e.id} {e.updated.isoformat()}" for e in entries)]
    )
    etag = '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'
    return FeedDocument(render_feed(feed), etag)


def public_alert(session: Session, clock: Clock, advisory_id: int, sender: str) -> bytes:
    """One advisory of the public feed as CAP, for anyone; any other is not found, as if it
    did not exist (an unpublished advisory is nobody's business outside the hub)."""
    advisory = CapRepository(session).public_current_one(advisory_id, clock.now())
    if advisory is None:
        raise service.AdvisoryNotFound(advisory=advisory_id)
    return render_alert(alerts_of(session, [advisory], sender)[0])


def feed_id(sender: str) -> str:
    """The feed's id: the same for as long as the hub keeps its CAP sender."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tansiq:{sender}:advisories").urn


def entry_id(sender: str, advisory: AdvisoryRecord) -> str:
    created: datetime = advisory.created_at
    return tag_uri(sender, created.date(), f"advisory/{advisory.id}")
