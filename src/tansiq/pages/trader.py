"""The trader's pages: a new application (route by checkpoints or drawn on the map, live
required authorities), amend, appeal, and my permits."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
