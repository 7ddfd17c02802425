"""Settings, read from ``TANSIQ_*`` environment variables when asked for (never at import)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of the hub. Each one is documented in docs/configuration.md (tested)."""

    model_config = SettingsConfigDict(env_prefix="TANSIQ_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{Path('tansiq.db').resolve()}",
        description="SQLAlchemy URL: sqlite:///path/to/file.db or postgresql+psycopg://...",
    )
    host: str = Field(default="127.0.0.1", description="Address `tansiq serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `tansiq serve` uses.")
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted, in bytes; larger gets 413 request.too_large.",
    )
    default_corridor_m: float = Field(
        default=200.0,
        gt=0,
        description="Corridor width in metres (full width, centred on the route) if none given.",
    )
    max_corridor_m: float = Field(
        default=20_000.0, gt=0, description="Widest corridor a route may ask for, in metres."
    )
    metric_epsg: int | None = Field(
        default=None,
        description="EPSG code of the metric CRS for distances; unset: the UTM zone of the data.",
    )
    token_ttl_days: int = Field(
        default=90, ge=1, description="Lifetime of API tokens issued at sign-in, in days."
    )
    sqlite_busy_timeout_ms: int = Field(
        default=5000, ge=0, description="How long SQLite waits for a lock before failing, in ms."
    )
