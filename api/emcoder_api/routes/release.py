"""Release an encounter (all items decided) and export its final code set."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from emcoder_api.deps import (
    Coder,
    EncounterDep,
    IdempotencyDep,
    LockedSessionDep,
    OpenEncounterDep,
    ProtectorDep,
    Reader,
)
from emcoder_api.responses import commit_json
from emcoder_api.routes import errors
from emcoder_api.schemas import EncounterSummary, ExportOut
from emcoder_api.services import present, review

router = APIRouter(prefix="/encounters/{encounter_id}", tags=["release"])


@router.post("/release", response_model=EncounterSummary, responses=errors(401, 403, 404, 409))
def release_encounter(principal: Coder, idem: IdempotencyDep, enc: OpenEncounterDep, session: LockedSessionDep,
                      protector: ProtectorDep) -> JSONResponse:
    """409 with `error.items` listing the pending item ids while any is pending; afterwards the
    encounter is read-only."""
    review.release(session, principal, enc)
    return commit_json(session, present.encounter_summary(enc), 200, idem, protector)


@router.get("/export", response_model=ExportOut, responses=errors(401, 403, 404, 409))
def export_encounter(principal: Reader, enc: EncounterDep, session: LockedSessionDep,
                     protector: ProtectorDep) -> JSONResponse:
    """The final code set of a released encounter (409 before release)."""
    return commit_json(session, review.export(session, protector, principal, enc))
