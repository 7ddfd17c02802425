"""The serving hub tunes Python's collector once it has started (``tune_garbage_collector``):
what exists then is frozen out of the collector's sight and the young generation is collected
less often (bench/load.py: scan p99 170 ms → 61 ms)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tansiq.cli.serve import GC_THRESHOLDS, tune_garbage_collector


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_the_started_hub_is_frozen_and_the_young_generation_collected_less_often() -> None:
    gc.unfreeze()
    started: list[list[int]] = [[n] for n in range(1000)]  # what the hub holds once started
    assert any(thing is started for thing in gc.get_objects())
    tune_garbage_collector()
    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] > 700  # Python's default, which collected every few requests
    # Frozen: out of every generation the collector walks.
    assert not any(thing is started for thing in gc.get_objects())
    assert gc.get_freeze_count() >= len(started)
