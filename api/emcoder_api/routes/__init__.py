"""One APIRouter per resource; `main.create_app` includes them all."""

from __future__ import annotations

from typing import Any

from emcoder_api.schemas import ErrorResponse


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give (all share one shape)."""
    return {status: {"model": ErrorResponse} for status in statuses}
