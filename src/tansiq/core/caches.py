"""Per-process caches that a running hub keeps for its features (a spatial index, ...),
keyed by the feature's own cache type, so the hub's context need not know any feature."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ProcessCaches:
    """One instance of each cache type per hub, built on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._caches: dict[type[Any], Any] = {}

    def get(self, kind: type[T], build: Callable[[], T]) -> T:
        with self._lock:
            found = self._caches.get(kind)
            if found is None:
                found = self._caches[kind] = build()
            cache: T = found
            return cache
