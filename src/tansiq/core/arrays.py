"""Runs and distinct values of integer arrays, by a sort: numpy 2.4's ``np.unique`` hashes
integers first and took 12 ms for 12,000 ids where a sort took 0.3 ms (an index query's
answer is thousands of ids)."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

IntT = TypeVar("IntT", bound=np.integer)


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
