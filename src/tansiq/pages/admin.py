"""The administrator's pages: parties, users and roles, zone map upload with per-feature
errors, checkpoints, devices and keys."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
