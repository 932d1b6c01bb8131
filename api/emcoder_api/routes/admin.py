"""Token management for a tenant's admin. Secrets are shown once and stored as sha256."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import RootModel
from sqlalchemy.orm import Session

from emcoder_api import audit
from emcoder_api.deps import ID, Admin, IdempotencyDep, LockedSessionDep, ProtectorDep
from emcoder_api.errors import ApiError, not_found
from emcoder_api.models import Token
from emcoder_api.responses import commit_json
from emcoder_api.routes import errors
from emcoder_api.schemas import TokenCreate, TokenCreated, TokenOut
from emcoder_api.services import tokens
from emcoder_api.services.present import aware

router = APIRouter(prefix="/admin/tokens", tags=["admin"])


class TokenList(RootModel[list[TokenOut]]):
    pass


def _out(t: Token) -> dict:
    return {"id": t.id, "name": t.name, "role": t.role, "tenant": t.tenant, "created_at": aware(t.created_at),
            "created_by": t.created_by, "revoked_at": aware(t.revoked_at)}


@router.post("", status_code=201, response_model=TokenCreated, responses=errors(401, 403, 422))
def create_token(principal: Admin, idem: IdempotencyDep, body: TokenCreate, session: LockedSessionDep,
                 protector: ProtectorDep) -> JSONResponse:
    """A token in the admin's own tenant. With an Idempotency-Key the response (which holds the
    secret) would be stored, so that is allowed only when responses are encrypted at rest."""
    if idem is not None and not protector.encrypts:
        raise ApiError(422, "idempotency_key_unsupported", "token creation accepts an Idempotency-Key only "
                       "when EMCODER_ENCRYPTION_KEY is set (the stored response holds the secret)",
                       field="Idempotency-Key")
    token, secret = tokens.issue(session, principal, body.role, principal.tenant, body.name)
    session.flush()
    return commit_json(session, TokenCreated(**_out(token), token=secret), 201, idem, protector)


@router.get("", response_model=list[TokenOut], responses=errors(401, 403))
def list_tokens(principal: Admin, session: LockedSessionDep) -> JSONResponse:
    rows = tokens.in_tenant(session, principal.tenant)
    audit.append(session, principal, "token.list", f"tenant:{principal.tenant}", after={"count": len(rows)})
    return commit_json(session, TokenList([TokenOut(**_out(t)) for t in rows]))


@router.delete("/{token_id}", response_model=TokenOut, responses=errors(401, 403, 404))
def revoke_token(principal: Admin, token_id: Annotated[str, Path()], session: LockedSessionDep) -> JSONResponse:
    token = _in_tenant(session, principal.tenant, token_id)
    tokens.revoke(session, principal, token)
    return commit_json(session, TokenOut(**_out(token)))


def _in_tenant(session: Session, tenant: str, token_id: str) -> Token:
    token = session.get(Token, token_id) if ID.match(token_id) else None
    if token is None or token.tenant != tenant:
        raise not_found("token")
    return token
