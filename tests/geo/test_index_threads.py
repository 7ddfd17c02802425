"""The spatial index is shared by every request of a hub process: route checks at once, on
many threads, must not crash it. GEOS builds a prepared geometry's own indexes on first use and
is not safe to use from two threads at once (libgeos/geos#825); two previews at once on the
demo crashed the hub (a segmentation fault) before the index used its prepared zones one thread
at a time. Run in a child process, since a crash would take the test runner with it."""

from __future__ import annotations

import subprocess
import sys

RACE = """
import threading, time
from datetime import UTC, datetime
import shapely
from tansiq.core.text import BilingualText
from tansiq.geo.domain import ZoneEntry
from tansiq.geo.index import SpatialIndex

at = datetime(2026, 12, 2, 6, tzinfo=UTC)
zones = [
    (ZoneEntry(n, n, 100 + n % 3, BilingualText("", f"z{n}"), at, None),
     shapely.box(41.0 + 0.02 * n, 34.0, 41.03 + 0.02 * n, 34.03).buffer(0.004))
    for n in range(12)
]
route = shapely.LineString([(40.99, 34.015), (41.12, 34.012), (41.26, 34.018)])
deadline = time.monotonic() + 3.0
rounds = 0
while time.monotonic() < deadline:
    index = SpatialIndex(zones, [], epsg=32637)  # fresh: its prepared zones not used yet
    start = threading.Barrier(8)

    def check() -> None:
        start.wait()
        for _ in range(5):
            assert len(index.resolve(route, 300, at).authorities) == 3

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rounds += 1
print(rounds)
"""


def test_route_checks_on_many_threads_at_once_never_crash_the_process() -> None:
    done = subprocess.run(
        [sys.executable, "-c", RACE], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert int(done.stdout) > 10  # the race was run many times
