"""The checkpoint officer's offline app: the installable page, its manifest and service
worker, which verify permits in the browser and queue scans until the hub is reachable."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
