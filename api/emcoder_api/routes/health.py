"""Liveness and database reachability, without authentication (for load balancers)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from emcoder_api import __version__
from emcoder_api.deps import SessionsDep
from emcoder_api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(sessions: SessionsDep) -> Health:
    with sessions() as session:
        session.execute(text("SELECT 1"))
    return Health(status="ok", version=__version__, database="ok")
