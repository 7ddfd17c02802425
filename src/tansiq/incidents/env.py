"""What the incidents use cases need from the running hub, built from its settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import Clock
from tansiq.core.errors import ErrorDetail
from tansiq.deconfliction.filing import DeconflictionEnv
from tansiq.deconfliction.service import env_of as deconfliction_env_of
from tansiq.incidents.corridor_cache import CorridorCache, corridor_cache
from tansiq.incidents.domain import DEFAULT_DISTANCES, BadDistances, parse_distances
from tansiq.settings import OTHER_PROBLEM, SettingInvalid, Settings


@dataclass(frozen=True)
class IncidentsEnv:
    clock: Clock
    deconfliction: DeconflictionEnv
    relevance: timedelta = timedelta(hours=24)
    max_days: int = 90
    epsg: int | None = None
    distances: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_DISTANCES))
    # The process's corridors in memory; None reads them from the database each time.
    corridors: CorridorCache | None = None

    def distance(self, name: str) -> float:
        """How far from a hazard of type or kind ``name`` a corridor counts as touched."""
        return self.distances.get(name, DEFAULT_DISTANCES.get(name, 1000.0))


def env_of(settings: Settings, clock: Clock, caches: ProcessCaches) -> IncidentsEnv:
    return IncidentsEnv(
        clock=clock,
        deconfliction=deconfliction_env_of(settings, clock, caches),
        relevance=timedelta(hours=settings.incident_relevance_hours),
        max_days=settings.advisory_max_days,
        epsg=settings.metric_epsg,
        distances=distances_of(settings),
        corridors=corridor_cache(caches),
    )


def distances_of(settings: Settings) -> dict[str, float]:
    try:
        return parse_distances(settings.incident_impact_distances)
    except BadDistances as problem:
        raise SettingInvalid(
            [
                ErrorDetail(
                    code="settings.incident_impact_distances",
                    message=OTHER_PROBLEM,
                    params={
                        "value": repr(settings.incident_impact_distances)[:60],
                        "reason": str(problem),
                    },
                    path="TANSIQ_INCIDENT_IMPACT_DISTANCES",
                )
            ]
        ) from None
