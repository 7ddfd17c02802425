"""Runs and distinct values of integer arrays, by a sort (numpy 2.4's ``np.unique`` hashes
integers first and took 12 ms for 12,000 ids where a sort took 0.3 ms; an index query's
answer is thousands of ids); lines numbered into pieces; things with their windows, in arrays."""

from __future__ import annotations

from typing import Generic, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

IntT = TypeVar("IntT", bound=np.integer)
GROW_BOX = np.array([-1.0, -1.0, 1.0, 1.0])  # bounds + reach * GROW_BOX: a box grown by reach


def run_starts(ids: npt.NDArray[IntT]) -> npt.NDArray[np.bool_]:
    """Where each run of equal ``ids`` starts (for sorted ids: each value's first place)."""
    first = np.empty(len(ids), dtype=bool)
    first[:1] = True
    np.not_equal(ids[1:], ids[:-1], out=first[1:])
    return first


def distinct(ids: npt.NDArray[IntT]) -> npt.NDArray[IntT]:
    """``ids`` sorted, each once (what ``np.unique`` answers)."""
    ordered = np.sort(ids)
    found: npt.NDArray[IntT] = ordered[run_starts(ordered)]
    return found


class LinePieces(NamedTuple):
    """Lines' vertices, laid out one line after another, numbered into pieces of at most a
    given number of segments (a line's last vertex closes its last piece)."""

    place: npt.NDArray[np.intp]  # each vertex's place along its line, from 0
    last: npt.NDArray[np.intp]  # the place of its line's last vertex
    piece: npt.NDArray[np.intp]  # the piece of its line it opens or lies in, from 0
    ids: npt.NDArray[np.intp]  # that piece's number over all the lines, in order
    per_line: npt.NDArray[np.intp]  # how many pieces each line has


def line_pieces(which: npt.NDArray[np.intp], lines: int, segments: int) -> LinePieces:
    """Number the vertices of ``lines`` lines into pieces of at most ``segments`` segments;
    ``which`` says each vertex's line, in order (as ``shapely.get_coordinates`` gives it)."""
    counts = np.bincount(which, minlength=lines)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    place = np.arange(len(which)) - first[which]
    last = counts[which] - 1
    piece = np.minimum(place, np.maximum(last - 1, 0)) // segments
    per_line = (np.maximum(counts - 1, 1) + segments - 1) // segments
    offset = np.concatenate(([0], np.cumsum(per_line)[:-1]))
    return LinePieces(place, last, piece, offset[which] + piece, per_line)


ItemT = TypeVar("ItemT")


class Windowed(NamedTuple, Generic[ItemT]):
    """Things and every window of theirs that matters, as microseconds since 1970: ``owner``
    holds the number of each window's thing in ``items``; each one's windows together, in
    order. A busy check meets thousands of windows and makes objects of none of them."""

    items: list[ItemT]
    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    owner: npt.NDArray[np.int64]


def joined(first: Windowed[ItemT], second: Windowed[ItemT]) -> Windowed[ItemT]:
    """The things of both, the second's numbered after the first's."""
    return Windowed(
        first.items + second.items,
        np.concatenate((first.starts, second.starts)),
        np.concatenate((first.ends, second.ends)),
        np.concatenate((first.owner, second.owner + len(first.items))),
    )


def only(
    found: Windowed[ItemT],
    kept: npt.NDArray[np.bool_],
    windows: npt.NDArray[np.bool_] | None = None,
) -> Windowed[ItemT]:
    """The things of ``found`` where ``kept``, with their windows (or those of them where
    ``windows``), numbered again."""
    number = np.cumsum(kept) - 1
    chosen = kept[found.owner] if windows is None else kept[found.owner] & windows
    return Windowed(
        [item for item, keep in zip(found.items, kept.tolist(), strict=True) if keep],
        found.starts[chosen],
        found.ends[chosen],
        number[found.owner[chosen]],
    )
