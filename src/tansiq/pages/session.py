"""The browser session: a signed cookie holding the user's API token and a CSRF token.

The cookie is signed (HMAC-SHA256), not encrypted: it holds nothing the browser may not know,
and it is HttpOnly so page scripts never see the token. Every form carries the session's CSRF
token, and every POST is refused unless the two match (session-bound, not a bare
double-submit cookie that a sibling subdomain could plant).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_

SESSION_COOKIE = "tansiq_session"
MAX_COOKIE_BYTES = 2048


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
    """Signs and reads session cookies with a key derived from the hub's secret."""

    def __init__(self, secret: str | None) -> None:
        # No configured secret: a per-process key, so sessions end when the process does.
        material = secret.encode() if secret else secrets.token_bytes(32)
        self._key = hashlib.sha256(b"tansiq-session\x00" + material).digest()

    def dump(self, page: PageSession) -> str:
        data: dict[str, object] = {"c": page.csrf, "t": page.token, "i": page.token_id}
        if page.once is not None:
            data["o"] = page.once
        body = json.dumps(data, separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(body).decode().rstrip("=")
        return f"{payload}.{self._sign(payload)}"

    def load(self, cookie: str | None) -> PageSession:
        """The session in ``cookie``, or a fresh anonymous one if it is missing or forged."""
        if not cookie or len(cookie) > MAX_COOKIE_BYTES or "." not in cookie:
            return PageSession()
        payload, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return PageSession()
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            csrf, token, token_id, once = data["c"], data["t"], data["i"], data.get("o")
        except (ValueError, KeyError, TypeError, AttributeError):
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

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
