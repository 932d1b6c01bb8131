"""Submit notes, list and read encounters, add note versions.

Analysis runs before the audit lock is taken (it can take seconds), so these routes lock and
re-check idempotency themselves instead of through `IdempotencyDep`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from emcoder.encounter import Encounter as EncounterContext
from emcoder.encounter import PatientType, Payer, Setting
from emcoder.note_input import decode_note
from emcoder_api import audit, deps
from emcoder_api.audit import Actor
from emcoder_api.crypto import Protector
from emcoder_api.deps import (
    Author,
    EncounterDep,
    LockedSessionDep,
    Physician,
    PrecheckedIdempotencyDep,
    ProtectorDep,
    Reader,
    SessionDep,
    SessionsDep,
    SettingsDep,
)
from emcoder_api.errors import not_found
from emcoder_api.responses import commit_json
from emcoder_api.routes import errors
from emcoder_api.schemas import (
    EncounterCreate,
    EncounterDetail,
    EncounterPage,
    EncounterStatus,
    Text,
    VersionCreate,
)
from emcoder_api.services import analysis as analysis_service
from emcoder_api.services import encounters, idempotency, present
from emcoder_api.services.idempotency import IdempotencyRequest

router = APIRouter(prefix="/encounters", tags=["encounters"])

RAW_NOTE_BODY = {"requestBody": {"required": True, "content": {
    "text/plain": {"schema": {"type": "string"}},
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


def _submit(session: Session, principal: Actor, protector: Protector, idem: IdempotencyRequest | None,
            note: str, context: EncounterContext, max_bytes: int) -> JSONResponse:
    analysis = analysis_service.analyze(note, context, max_bytes)
    audit.lock(session)
    idempotency.check(session, idem, protector)
    enc = encounters.submit(session, principal, protector, note, context, analysis)
    return commit_json(session, present.encounter_detail(session, protector, enc), 201, idem, protector)


@router.post("", status_code=201, response_model=EncounterDetail, responses=errors(401, 403, 413, 422))
def create_encounter(principal: Physician, idem: PrecheckedIdempotencyDep, body: EncounterCreate,
                     session: SessionDep, settings: SettingsDep, protector: ProtectorDep) -> JSONResponse:
    """Analyze a note and open one pending review item per suggestion."""
    return _submit(session, principal, protector, idem, body.note, body.encounter, settings.max_note_bytes)


async def raw_body(request: Request) -> bytes:
    return await request.body()


@router.post("/upload", status_code=201, response_model=EncounterDetail, openapi_extra=RAW_NOTE_BODY,
             responses=errors(401, 403, 413, 422))
def upload_encounter(principal: Physician, idem: PrecheckedIdempotencyDep,
                     raw: Annotated[bytes, Depends(raw_body)], session: SessionDep, settings: SettingsDep,
                     protector: ProtectorDep, setting: Setting | None = None, patient: PatientType | None = None,
                     payer: Payer | None = None, date_of_service: dt.date | None = None) -> JSONResponse:
    """The same, with the note as the raw request body (a file's bytes, UTF-8) and the context as
    query parameters. Binary and non-UTF-8 bodies are refused with 422."""
    note = decode_note(raw)
    context = EncounterContext(setting=setting, patient=patient, payer=payer, date_of_service=date_of_service)
    return _submit(session, principal, protector, idem, note, context, settings.max_note_bytes)


@router.get("", response_model=EncounterPage, responses=errors(401, 403, 422))
def list_encounters(principal: Reader, session: LockedSessionDep, status: EncounterStatus | None = None,
                    date_from: Annotated[dt.date | None, Query(description="date of service, inclusive")] = None,
                    date_to: Annotated[dt.date | None, Query(description="date of service, inclusive")] = None,
                    coder: Annotated[Text | None, Query(max_length=200)] = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> JSONResponse:
    """Encounters in the token's tenant (a physician's own), newest first, with the total count."""
    rows, total = encounters.page(session, principal, status=status, date_from=date_from, date_to=date_to,
                                  coder=coder, limit=limit, offset=offset)
    filters = {"status": status, "date_from": date_from, "date_to": date_to, "coder": coder,
               "limit": limit, "offset": offset}
    audit.append(session, principal, "encounter.list", f"tenant:{principal.tenant}",
                 after={"filters": {k: v for k, v in filters.items() if v is not None},
                        "returned": [e.id for e in rows], "total": total})
    page = EncounterPage(data=[present.encounter_summary(e) for e in rows], count=total, limit=limit, offset=offset)
    return commit_json(session, page)


@router.get("/{encounter_id}", response_model=EncounterDetail, responses=errors(401, 403, 404))
def read_encounter(principal: Reader, enc: EncounterDep, session: LockedSessionDep,
                   protector: ProtectorDep) -> JSONResponse:
    """The current version: note, analysis and items with their decisions."""
    detail = present.encounter_detail(session, protector, enc)
    audit.append(session, principal, "encounter.read", f"encounter:{enc.id}", after={"version": enc.current_version})
    return commit_json(session, detail)


@router.get("/{encounter_id}/versions/{number}", response_model=EncounterDetail, responses=errors(401, 403, 404))
def read_version(principal: Reader, enc: EncounterDep, number: Annotated[int, Path(ge=1, le=1_000_000)],
                 session: LockedSessionDep, protector: ProtectorDep) -> JSONResponse:
    """Any version, with the decisions taken on it (earlier decisions stay readable)."""
    if number > enc.current_version:
        raise not_found("version")
    detail = present.encounter_detail(session, protector, enc, number)
    audit.append(session, principal, "version.read", f"encounter:{enc.id}", after={"version": number})
    return commit_json(session, detail)


def precheck_encounter(encounter_id: Annotated[str, Path()], principal: deps.PrincipalDep,
                       sessions: SessionsDep) -> str:
    """404 (or 409 when released) before spending an analysis on the encounter."""
    with sessions() as session:
        deps.get_open_encounter(deps.get_encounter(encounter_id, principal, session))
    return encounter_id


@router.post("/{encounter_id}/versions", status_code=201, response_model=EncounterDetail,
             responses=errors(401, 403, 404, 409, 413, 422))
def create_version(principal: Author, idem: PrecheckedIdempotencyDep,
                   encounter_id: Annotated[str, Depends(precheck_encounter)], body: VersionCreate,
                   session: SessionDep, settings: SettingsDep, protector: ProtectorDep) -> JSONResponse:
    """Re-analyze an edited note as a new version with new items; without `encounter`, the
    previous version's context is used. Earlier versions and their decisions stay readable."""
    context = body.encounter or _previous_context(session, principal, encounter_id)
    analysis = analysis_service.analyze(body.note, context, settings.max_note_bytes)
    audit.lock(session)
    idempotency.check(session, idem, protector)
    enc = deps.get_open_encounter(deps.get_encounter(encounter_id, principal, session))
    encounters.add_version(session, principal, protector, enc, body.note, context, analysis)
    return commit_json(session, present.encounter_detail(session, protector, enc), 201, idem, protector)


def _previous_context(session: Session, principal: Actor, encounter_id: str) -> EncounterContext:
    enc = deps.get_encounter(encounter_id, principal, session)
    context = encounters.current_context(session, enc)
    session.rollback()  # end this read; the write transaction starts with the lock
    return context
