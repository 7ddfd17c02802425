"""Sorted runs, distinct ids and line pieces, against the plain Python answer."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tansiq.core.arrays import distinct, line_pieces, run_starts


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
