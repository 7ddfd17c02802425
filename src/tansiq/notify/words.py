"""The words of the inbox page, marked for the catalog."""

from __future__ import annotations

from tansiq.core.i18n import N_

LABELS = {
    "mark_read": N_("Mark read"),
    "read": N_("Read"),
    "no_messages": N_("No messages."),
    # A link to what the message is about (an application, a movement, a thread): a verb, not
    # the state "open", which reads differently in Arabic.
    "open_subject": N_("Open what it is about"),
}
