"""A coder decides on suggestions and adds the codes the system missed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from emcoder_api.crypto import Protector
from emcoder_api.deps import ID, Coder, IdempotencyDep, LockedSessionDep, OpenEncounterDep, ProtectorDep
from emcoder_api.errors import not_found
from emcoder_api.models import Encounter, Item, NoteVersion
from emcoder_api.responses import commit_json
from emcoder_api.routes import errors
from emcoder_api.schemas import DecisionCreate, ItemCreate, ItemOut
from emcoder_api.services import present, review

router = APIRouter(prefix="/encounters/{encounter_id}/items", tags=["items"])


def _out(session: Session, protector: Protector, enc: Encounter, item: Item) -> ItemOut:
    sealed = session.execute(select(NoteVersion.note_sealed).where(
        NoteVersion.encounter_id == enc.id, NoteVersion.number == item.version_number)).scalar_one()
    return present.items_out(session, [item], protector.open(sealed), protector)[0]


@router.post("/{item_id}/decision", response_model=ItemOut, responses=errors(401, 403, 404, 409, 422))
def decide_item(principal: Coder, idem: IdempotencyDep, enc: OpenEncounterDep,
                item_id: Annotated[str, Path()], body: DecisionCreate, session: LockedSessionDep,
                protector: ProtectorDep) -> JSONResponse:
    """Accept, reject (with a reason) or modify (with a reason and a valid replacement code).
    A decided item may be decided again until release; every decision stays in its history."""
    if not ID.match(item_id):
        raise not_found("item")
    item = review.decide(session, principal, enc, item_id, body)
    return commit_json(session, _out(session, protector, enc, item), 200, idem, protector)


@router.post("", status_code=201, response_model=ItemOut, responses=errors(401, 403, 404, 409, 422))
def add_item(principal: Coder, idem: IdempotencyDep, enc: OpenEncounterDep, body: ItemCreate,
             session: LockedSessionDep, protector: ProtectorDep) -> JSONResponse:
    """Add an ICD-10-CM or CPT/HCPCS code the system missed; it is accepted on entry."""
    item = review.add(session, principal, protector, enc, body)
    return commit_json(session, _out(session, protector, enc, item), 201, idem, protector)
