"""The conflicts page: every conflict of the movements and sites the reader's party notified
(the hub's admins: every active one), each with where and when they meet, and the shift the
hub proposes with its one-action apply, which files a new version and checks again."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import translate
from tansiq.deconfliction import access, queries, service, words
from tansiq.deconfliction.domain import NotificationKind, NotificationStatus
from tansiq.deconfliction.render import notification_out
from tansiq.parties.access import is_hub_admin
from tansiq.parties.deps import Current
from tansiq.web.deps import RecordId
from tansiq.web.screen import FormData, one

router = APIRouter(include_in_schema=False)
LIMIT = 100


@router.get("/deconfliction/conflicts")
def conflicts_page(s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    hub = is_hub_admin(s.me)
    found = queries.notifications(
        s.session,
        s.me,
        filed=None if hub else True,
        status=NotificationStatus.ACTIVE,
        limit=LIMIT,
        offset=0,
    )
    rows: list[dict[str, Any]] = []
    for notification in found:
        shown = notification_out(s.session, s.me, notification.id, s.hub.clock, via="page")
        if not shown.conflicts:
            continue
        rows.append(
            {
                "id": shown.id,
                "ref": shown.reference,
                "kind": translate(words.KIND[shown.kind], s.locale),
                "version": shown.version,
                "start": shown.start,
                "end": shown.end,
                "conflicts": [
                    {
                        "other": c.other,
                        "ref": c.other_reference,
                        "kind": translate(words.KIND[c.other_kind], s.locale),
                        "start": c.overlaps[0][0],
                        "end": c.overlaps[-1][1],
                        "spans": len(c.overlaps),
                    }
                    for c in shown.conflicts
                ],
                "shift": shown.shift,
                "can_shift": shown.kind is NotificationKind.MOVEMENT
                and access.is_notifier(s.me, notification.notifier_party_id)
                and access.can_notify(s.me),
            }
        )
    return s.show("deconfliction_conflicts.html", rows=rows)


@router.post("/deconfliction/conflicts/{notification_id}/shift")
def apply_shift(notification_id: RecordId, s: Current, form: FormData) -> Response:
    """Apply the proposed shift from the conflicts page, and come back to it."""
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
        version = int(one(form, "version") or "0")
        env = service.env_of(s.hub.settings, s.hub.clock, s.hub.caches)
        service.apply_shift(s.session, s.me, notification_id, version, env)
    except TansiqError as error:
        return s.error(error)
    except ValueError:
        return s.go("/deconfliction/conflicts")
    return s.go(f"/deconfliction/conflicts?shifted={notification_id}")
