"""The audit trail for auditors: their tenant's records, and a check of the whole chain."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from emcoder_api import audit
from emcoder_api.deps import Auditor, LockedSessionDep
from emcoder_api.models import AuditRecord
from emcoder_api.responses import commit_json
from emcoder_api.routes import errors
from emcoder_api.schemas import AuditPage, AuditRecordOut, AuditVerdict, Text

router = APIRouter(prefix="/audit", tags=["audit"])


def _out(r: AuditRecord) -> AuditRecordOut:
    return AuditRecordOut(id=r.id, at=r.at, token_id=r.token_id, actor=r.actor, role=r.role, tenant=r.tenant,
                          action=r.action, target=r.target, before=None if r.before is None else json.loads(r.before),
                          after=None if r.after is None else json.loads(r.after), prev_hash=r.prev_hash, hash=r.hash)


@router.get("", response_model=AuditPage, responses=errors(401, 403, 422))
def read_audit(principal: Auditor, session: LockedSessionDep,
               action: Annotated[Text | None, Query(max_length=40)] = None,
               target: Annotated[Text | None, Query(max_length=200)] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> JSONResponse:
    """Records of the auditor's tenant, oldest first."""
    where = [AuditRecord.tenant == principal.tenant]
    if action is not None:
        where.append(AuditRecord.action == action)
    if target is not None:
        where.append(AuditRecord.target == target)
    total = session.execute(select(func.count()).select_from(AuditRecord).where(*where)).scalar_one()
    rows = session.execute(select(AuditRecord).where(*where).order_by(AuditRecord.id)
                           .limit(limit).offset(offset)).scalars().all()
    page = AuditPage(data=[_out(r) for r in rows], count=total, limit=limit, offset=offset)
    audit.append(session, principal, "audit.read", f"tenant:{principal.tenant}",
                 after={"action": action, "target": target, "limit": limit, "offset": offset})
    return commit_json(session, page)


@router.get("/verify", response_model=AuditVerdict, responses=errors(401, 403))
def verify_audit(principal: Auditor, session: LockedSessionDep) -> JSONResponse:
    """Recompute the whole chain (all tenants; only the verdict is shown)."""
    verdict = audit.verify(session)
    audit.append(session, principal, "audit.verify", "audit:chain",
                 after={"intact": verdict.intact, "count": verdict.count, "broken_id": verdict.broken_id})
    return commit_json(session, AuditVerdict(intact=verdict.intact, count=verdict.count,
                                             broken_id=verdict.broken_id, reason=verdict.reason))
