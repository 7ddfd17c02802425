"""Sorted runs, distinct ids, line pieces, things with their windows, and exact microseconds,
against the plain Python answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tansiq.core.arrays import Windowed, distinct, joined, line_pieces, only, run_starts
from tansiq.core.clock import micros


@given(st.lists(st.integers(-50, 50), max_size=200))
def test_distinct_and_run_starts_answer_as_python_does(values: list[int]) -> None:
    ids = np.array(values, dtype=np.int64)
    assert distinct(ids).tolist() == sorted(set(values))
    ordered = np.sort(ids)
    starts = run_starts(ordered).tolist()
    assert starts == [i == 0 or ordered[i] != ordered[i - 1] for i in range(len(values))]


@given(st.lists(st.integers(2, 40), min_size=1, max_size=12), st.integers(1, 9))
def test_line_pieces_number_each_vertex_into_its_piece(counts: list[int], segments: int) -> None:
    """Vertex ``k`` of a line of ``n`` vertices lies in piece ``min(k, n - 2) // segments``
    (the last vertex closes the last piece); pieces are numbered across lines in order."""
    which = np.repeat(np.arange(len(counts)), counts)
    found = line_pieces(which, len(counts), segments)
    expected_ids, offset = [], 0
    for n in counts:
        pieces = [min(k, n - 2) // segments for k in range(n)]
        expected_ids += [offset + p for p in pieces]
        offset += -(-(n - 1) // segments)
    assert found.ids.tolist() == expected_ids
    assert found.place.tolist() == [k for n in counts for k in range(n)]
    assert found.last.tolist() == [n - 1 for n in counts for _ in range(n)]
    assert found.per_line.tolist() == [-(-(n - 1) // segments) for n in counts]


Things = list[tuple[str, list[tuple[int, int]]]]
things = st.lists(
    st.tuples(
        st.text(max_size=3),
        st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 10**3)), max_size=4),
    ),
    max_size=8,
)


def windowed(items: Things) -> Windowed[str]:
    pairs = [(n, s, s + d) for n, (_, windows) in enumerate(items) for s, d in windows]
    return Windowed(
        [name for name, _ in items],
        np.array([s for _, s, _ in pairs], dtype=np.int64),
        np.array([e for _, _, e in pairs], dtype=np.int64),
        np.array([n for n, _, _ in pairs], dtype=np.int64),
    )


def listed(found: Windowed[str]) -> list[tuple[str, list[tuple[int, int]]]]:
    by_owner: list[list[tuple[int, int]]] = [[] for _ in found.items]
    for n, s, e in zip(
        found.owner.tolist(), found.starts.tolist(), found.ends.tolist(), strict=True
    ):
        by_owner[n].append((s, e))
    return list(zip(found.items, by_owner, strict=True))


def plain(items: Things) -> list[tuple[str, list[tuple[int, int]]]]:
    return [(name, [(s, s + d) for s, d in windows]) for name, windows in items]


@given(things, things)
def test_joined_numbers_the_second_after_the_first(first: Things, second: Things) -> None:
    assert listed(joined(windowed(first), windowed(second))) == plain(first) + plain(second)


def flags(count: int) -> st.SearchStrategy[list[bool]]:
    return st.lists(st.booleans(), min_size=count, max_size=count)


@given(things, st.data())
def test_only_keeps_the_things_and_windows_chosen(items: Things, data: st.DataObject) -> None:
    found = windowed(items)
    kept = data.draw(flags(len(items)))
    windows = data.draw(flags(len(found.starts)))
    chosen = iter(windows)
    every = plain(items)
    some = [(name, [w for w in ws if next(chosen)]) for name, ws in every]
    as_array = np.array(kept, dtype=bool)
    assert listed(only(found, as_array)) == [t for t, k in zip(every, kept, strict=True) if k]
    assert listed(only(found, as_array, np.array(windows, dtype=bool))) == [
        t for t, k in zip(some, kept, strict=True) if k
    ]


def test_micros_is_exact_and_reads_a_naive_time_as_utc() -> None:
    moment = datetime(2026, 12, 2, 0, 59, 59, 999_999, tzinfo=UTC)
    assert micros(moment) == int(moment.timestamp()) * 10**6 + 999_999
    assert micros(moment.replace(tzinfo=None)) == micros(moment)
    assert micros(moment + timedelta(microseconds=1)) - micros(moment) == 1
