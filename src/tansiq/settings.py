"""Settings, read from ``TANSIQ_*`` environment variables when asked for (never at import)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tansiq.core.errors import ErrorDetail, TansiqError
from tansiq.core.i18n import N_, Locale, translate

_DISTANCE = re.compile(r"[a-z_]{2,40}\s*=\s*\d{1,5}(\.\d+)?")


class SettingInvalid(TansiqError):
    """One or more ``TANSIQ_*`` variables the settings refuse; the first is named in the
    message, each is a detail (its variable as the path)."""

    code = "settings.invalid"
    message = N_("The setting {setting} is invalid: {problem}")

    def __init__(self, problems: list[ErrorDetail]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(
            details=problems if len(problems) > 1 else None,
            setting=first.path,
            problem=translate(first.message, Locale.EN, **first.params),
        )

    def render(self, locale: Locale) -> dict[str, Any]:
        # The problem is a message of its own, shown in the reader's language too.
        first = self.problems[0]
        body = super().render(locale)
        body["message"] = translate(
            self.message,
            locale,
            setting=first.path,
            problem=translate(first.message, locale, **first.params),
        )
        return body


# What a person reads for pydantic's commonest refusals (its own text is English only).
PROBLEMS = {
    "greater_than": N_("{value} is too small; it must be greater than {gt}."),
    "greater_than_equal": N_("{value} is too small; it must be at least {ge}."),
    "less_than_equal": N_("{value} is too large; it must be at most {le}."),
    "int_parsing": N_("{value} is not a whole number."),
    "float_parsing": N_("{value} is not a number."),
    "bool_parsing": N_("{value} is neither true nor false."),
    "literal_error": N_("{value} is not one of {expected}."),
}
OTHER_PROBLEM = N_("{value} is refused: {reason}")


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
    secret_key: str | None = Field(
        default=None,
        description="Seals the signing keys at rest; 32+ characters, kept out of the database.",
    )
    data_max_age_hours: float = Field(
        default=24.0,
        gt=0,
        description="Trust list and revocation data older than this earns a warning of its age "
        "beside the verdict.",
    )
    data_hard_limit_hours: float = Field(
        default=168.0,
        gt=0,
        description="Data older than this is too old to decide on: checkpoints say stale and ask "
        "for a sync.",
    )
    review_deadline_hours: float = Field(
        default=24.0, gt=0, description="Time each authority has to decide on an application."
    )
    max_validity_days: int = Field(
        default=30, ge=1, description="Longest validity window an application may ask for."
    )
    sqlite_busy_timeout_ms: int = Field(
        default=5000, ge=0, description="How long SQLite waits for a lock before failing, in ms."
    )
    ledger_head_interval_minutes: float = Field(
        default=10.0,
        gt=0,
        le=1440,
        description="How often the job worker signs a ledger tree head over new entries.",
    )
    revocation_snapshot_interval_hours: float = Field(
        default=24.0,
        gt=0,
        le=24 * 30,
        description="How often the job worker folds the revocation deltas into a signed snapshot "
        "(what a device's first pull starts from).",
    )
    worker_interval_s: float = Field(
        default=2.0, gt=0, description="How often the job worker looks for due jobs, in seconds."
    )
    job_max_attempts: int = Field(
        default=12, ge=1, description="Attempts at a job (or a delivery) before it is failed."
    )
    job_lease_s: float = Field(
        default=300.0,
        gt=0,
        description="How long a running job stays claimed; past it a crashed worker's job reruns.",
    )
    job_backoff_s: float = Field(
        default=30.0, gt=0, description="Wait before the first retry; it doubles each attempt."
    )
    job_backoff_max_s: float = Field(
        default=3600.0, gt=0, description="Longest wait between two retries, in seconds."
    )
    delivery_timeout_s: float = Field(
        default=5.0, gt=0, description="Timeout of one webhook or SMTP attempt, in seconds."
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="Allow webhooks to loopback and private network addresses.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for e-mail notifications; unset: no e-mail."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_from: str = Field(
        default="tansiq@localhost", description="Sender address of notification e-mails."
    )
    smtp_username: str | None = Field(default=None, description="SMTP login, if it needs one.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the SMTP connection with STARTTLS before logging in."
    )
    password_hash_cost: Literal["standard", "minimal"] = Field(
        default="standard",
        description="argon2 cost of stored passwords; 'minimal' only under the test suite.",
    )
    deconfliction_emergency_minutes: float = Field(
        default=30.0,
        gt=0,
        description="Time a party has to acknowledge an emergency notification, in minutes.",
    )
    deconfliction_ack_hours: float = Field(
        default=2.0,
        gt=0,
        description="Time to acknowledge any other notification (never past the movement's "
        "start), in hours.",
    )
    deconfliction_site_margin_m: float = Field(
        default=100.0,
        ge=0,
        description="Distance beyond a site's radius within which a movement conflicts with it.",
    )
    deconfliction_shift_horizon_hours: float = Field(
        default=48.0,
        gt=0,
        le=720,
        description="Latest shift of a movement the hub proposes to clear its conflicts.",
    )
    deconfliction_area: str | None = Field(
        default=None,
        description="Deployment area as 'west,south,east,north' in degrees; unset: the zones' "
        "bounding box plus the margin.",
    )
    deconfliction_area_margin_m: float = Field(
        default=5000.0,
        ge=0,
        description="Margin around the zones' bounding box when no area is set, in metres.",
    )
    deconfliction_place_tolerance_m: float = Field(
        default=1000.0,
        gt=0,
        description="Largest distance between a declared place and the location, in metres.",
    )
    time_zone: str = Field(
        default="Asia/Damascus",
        description="The deployment's time zone (IANA name): pages, messages, the paper permit "
        "and the checkpoint app show times in it, forms read them in it, and repeating "
        "movements keep their local time in it.",
    )
    tile_url: str | None = Field(
        default=None,
        description="Map tile URL template ({z}/{x}/{y}) for the web map; unset: no tiles.",
    )
    access_log: bool = Field(
        default=False,
        description="Log a line per request (uvicorn's access log); off: the reverse proxy "
        "in front logs them, and the hub spends its time answering.",
    )
    checkpoint_advisory_radius_m: float = Field(
        default=25_000.0,
        gt=0,
        le=500_000,
        description="Incidents and advisories within this distance of a checkpoint travel to its "
        "devices with every pull (besides those on the routes of permits expected there).",
    )

    incident_relevance_hours: float = Field(
        default=24.0,
        gt=0,
        le=24 * 90,
        description="How long after it happened an incident counts for impact, unless its "
        "reporter says, in hours.",
    )
    advisory_max_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Longest validity window of an advisory or an incident's relevance, in days.",
    )
    incident_impact_distances: str | None = Field(
        default=None,
        description="Distance from an incident or advisory within which a corridor is "
        "touched, per type, as 'type=metres,...' over the defaults (docs/incidents.md).",
    )
    cap_max_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        le=5 * 1024 * 1024,
        description="Largest CAP 1.2 document imported, in bytes, checked before it is parsed; "
        "larger gets 413 cap.too_large.",
    )
    cap_sender: str = Field(
        default="tansiq@localhost",
        pattern=r"^[^\s,<&]+$",
        description="This hub's CAP <sender> and the authority of its Atom tag: URIs, e.g. "
        "tansiq@hub.example.org; no spaces, commas, < or &.",
    )

    @field_validator("deconfliction_area")
    @classmethod
    def _area_is_a_box(cls, area: str | None) -> str | None:
        if area is None:
            return None
        parts = area.split(",")
        try:
            west, south, east, north = (float(part) for part in parts)
        except ValueError:
            raise ValueError("four numbers: west,south,east,north") from None
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValueError("west < east within -180..180, south < north within -90..90")
        return area

    @field_validator("incident_impact_distances")
    @classmethod
    def _distances_parse(cls, text: str | None) -> str | None:
        # The names are checked against the list of types where the hub starts (incidents.env).
        for item in (text or "").split(","):
            if item.strip() and not _DISTANCE.fullmatch(item.strip()):
                raise ValueError("'type=metres' pairs, separated by commas")
        return text

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not a known IANA time zone") from None
        return name

    @field_validator("password_hash_cost")
    @classmethod
    def _minimal_only_under_tests(cls, cost: str) -> str:
        # The floor: a hub outside the test suite never stores weakly hashed passwords,
        # whatever its environment says. pytest marks the process it runs a test in.
        if cost == "minimal" and "PYTEST_CURRENT_TEST" not in os.environ:
            raise ValueError("'minimal' is for the test suite only; use 'standard'")
        return cost


def load_settings(**overrides: object) -> Settings:
    """The settings from the environment (and ``overrides``), or :class:`SettingInvalid` naming
    the first bad one as its variable, with every bad one in the details: a person sees one
    coded line, never a validation traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic checks the types
    except ValidationError as error:
        raise SettingInvalid([_detail(problem) for problem in error.errors()]) from None


def _detail(problem: Any) -> ErrorDetail:
    name = "TANSIQ_" + "_".join(str(part) for part in problem["loc"]).upper()
    params: dict[str, Any] = {"value": repr(problem.get("input"))[:60]}
    for key, bound in (problem.get("ctx") or {}).items():
        if key != "error":  # a validator's own exception; its text is in "msg"
            whole = isinstance(bound, float) and bound.is_integer()
            params[key] = str(int(bound)) if whole else str(bound)
    message = PROBLEMS.get(problem["type"])
    if message is None:
        message = OTHER_PROBLEM
        params["reason"] = str(problem.get("msg", ""))[:200]
    return ErrorDetail(
        code=f"settings.{problem['type']}", message=message, params=params, path=name
    )
