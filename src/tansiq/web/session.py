"""The browser session: a signed cookie holding the user's API token and a CSRF token.

The cookie is signed and timestamped (itsdangerous), not encrypted: it holds nothing the
browser may not know, and it is HttpOnly so page scripts never see the token. Every form
carries the session's CSRF token, and every POST is refused unless the two match
(session-bound, not a bare double-submit cookie that a sibling subdomain could plant).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_

SESSION_COOKIE = "tansiq_session"
MAX_COOKIE_BYTES = 2048
# A browser session lasts a working week at most; the API token inside it has its own lifetime.
SESSION_MAX_AGE_S = 7 * 24 * 3600


class CsrfRejected(TansiqError):
    code = "csrf.invalid"
    message = N_("This form has expired or did not come from this site; reload and try again.")
    category = ErrorCategory.FORBIDDEN


@dataclass
class PageSession:
    """What the cookie holds. ``changed`` says the cookie must be (re)sent."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    token: str | None = None
    token_id: int | None = None
    # A secret shown once after a redirect (a new device's token, a generated password): it
    # rides in this signed, HttpOnly cookie to the next page, which removes it, so reloading
    # that page neither shows it again nor repeats the action that made it.
    once: dict[str, str] | None = None
    changed: bool = True

    def take_once(self, kind: str) -> dict[str, str] | None:
        """The shown-once values of ``kind``, removed from the session."""
        found = self.once if self.once is not None and self.once.get("kind") == kind else None
        if found is not None:
            self.once, self.changed = None, True
        return found

    def csrf_matches(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(sent.encode(), self.csrf.encode())


class SessionSigner:
    """Signs and reads session cookies (itsdangerous, HMAC with a key derived from the hub's
    secret and a salt of its own); a cookie older than ``max_age_s`` reads as anonymous."""

    def __init__(self, secret: str | None, max_age_s: int = SESSION_MAX_AGE_S) -> None:
        # No configured secret: a per-process key, so sessions end when the process does.
        key = secret if secret else secrets.token_urlsafe(32)
        self._serializer = URLSafeTimedSerializer(key, salt="tansiq-session")
        self._max_age_s = max_age_s

    def dump(self, page: PageSession) -> str:
        data: dict[str, object] = {"c": page.csrf, "t": page.token, "i": page.token_id}
        if page.once is not None:
            data["o"] = page.once
        return self._serializer.dumps(data)

    def load(self, cookie: str | None) -> PageSession:
        """The session in ``cookie``, or a fresh anonymous one if it is missing, forged or old."""
        if not cookie or len(cookie) > MAX_COOKIE_BYTES:
            return PageSession()
        try:
            data = self._serializer.loads(cookie, max_age=self._max_age_s)
            csrf, token, token_id, once = data["c"], data["t"], data["i"], data.get("o")
        except (BadSignature, KeyError, TypeError, AttributeError):
            return PageSession()
        if not isinstance(csrf, str) or not isinstance(token, str | None):
            return PageSession()
        if not isinstance(token_id, int | None):
            return PageSession()
        if once is not None and not (
            isinstance(once, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in once.items())
        ):
            return PageSession()
        return PageSession(csrf=csrf, token=token, token_id=token_id, once=once, changed=False)
