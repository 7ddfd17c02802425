"""An Atom (RFC 4287) feed of advisories, each entry carrying its CAP 1.2 alert inline as
``<content type="application/cap+xml">``, the way alert hubs publish CAP. Pure: no storage,
no web.

Identifiers are URIs that never change for an entry: ``tag:`` URIs (RFC 4151) built from the
hub's authority and the day the advisory was created. Every time is UTC, written with ``Z``.
"""

from __future__ import annotations

# ElementTree builds and writes the feed here; nothing is parsed.
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tansiq.core.i18n import Locale
from tansiq.incidents.cap import alert_element
from tansiq.incidents.cap_model import CAP_MEDIA_TYPE, Alert

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    published: datetime
    updated: datetime
    summary: str
    alert: Alert
    link: str = ""  # the entry's CAP document on its own, if it has an address


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    author: str
    language: Locale
    self_link: str
    entries: tuple[Entry, ...]
    # When nothing is in the feed: the time it was last known to be empty (e.g. now).
    updated_if_empty: datetime


def tag_uri(authority: str, day: date, specific: str) -> str:
    """A ``tag:`` URI (RFC 4151): ``tag:hub.example.org,2026-12-01:advisory/42``."""
    return f"tag:{authority},{day.isoformat()}:{specific}"


def atom_time(value: datetime) -> str:
    """RFC 3339 in UTC, whole seconds: ``2026-12-01T08:00:00Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_updated(feed: Feed) -> datetime:
    """The newest change among the entries: a feed that did not change keeps its time."""
    return max((entry.updated for entry in feed.entries), default=feed.updated_if_empty)


def render_feed(feed: Feed) -> bytes:
    """The feed as a UTF-8 Atom document, newest entry first."""
    root = ET.Element("feed", {"xmlns": ATOM_NAMESPACE, _XML_LANG: feed.language.value})
    _add(root, "id", feed.id)
    _add(root, "title", feed.title)
    _add(root, "updated", atom_time(feed_updated(feed)))
    author = ET.SubElement(root, "author")
    _add(author, "name", feed.author)
    ET.SubElement(root, "link", {"rel": "self", "type": ATOM_MEDIA_TYPE, "href": feed.self_link})
    for entry in sorted(feed.entries, key=lambda entry: (entry.updated, entry.id), reverse=True):
        _entry(ET.SubElement(root, "entry"), entry)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _entry(element: ET.Element, entry: Entry) -> None:
    _add(element, "id", entry.id)
    _add(element, "title", entry.title)
    _add(element, "published", atom_time(entry.published))
    _add(element, "updated", atom_time(entry.updated))
    if entry.link:
        attributes = {"rel": "alternate", "type": CAP_MEDIA_TYPE, "href": entry.link}
        ET.SubElement(element, "link", attributes)
    if entry.summary:
        _add(element, "summary", entry.summary)
    content = ET.SubElement(element, "content", {"type": CAP_MEDIA_TYPE})
    content.append(alert_element(entry.alert))


def _add(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, name).text = text
