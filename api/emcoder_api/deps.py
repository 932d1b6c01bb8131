"""Request dependencies, chained so routes never repeat a check (house style item 11):

token -> role -> (locked session) -> idempotency -> encounter in the token's tenant -> open encounter.

Declare them in that order in a route: FastAPI resolves parameters in order, so a wrong role
answers 403 before anything is looked up, and a retried request replays before a state check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from emcoder_api import audit
from emcoder_api.audit import Actor
from emcoder_api.crypto import Protector
from emcoder_api.errors import ApiError, conflict, not_found
from emcoder_api.models import Encounter
from emcoder_api.services import encounters, idempotency, tokens
from emcoder_api.services.idempotency import IdempotencyRequest
from emcoder_api.settings import Settings

ID = re.compile(r"^[a-z]{3}_[0-9a-f]{24}$")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_protector(request: Request) -> Protector:
    return request.app.state.protector


def get_sessions(request: Request) -> sessionmaker[Session]:
    return request.app.state.sessions


SettingsDep = Annotated[Settings, Depends(get_settings)]
ProtectorDep = Annotated[Protector, Depends(get_protector)]
SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]


def get_session(sessions: SessionsDep) -> Iterator[Session]:
    """The request's unit of work. Routes commit before answering; anything else rolls back."""
    with sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_locked_session(session: SessionDep) -> Session:
    """The request session holding the audit-chain lock: the first statement of every request
    that writes (and every request writes, if only its audit record)."""
    audit.lock(session)
    return session


LockedSessionDep = Annotated[Session, Depends(get_locked_session)]


bearer_scheme = HTTPBearer(auto_error=False, description="an API token from `emcoder token create`")


def get_principal(sessions: SessionsDep,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]) -> Actor:
    """The caller, from `Authorization: Bearer <token>`, looked up in a short transaction of its own."""
    if credentials is None or not credentials.credentials.strip():
        raise ApiError(401, "missing_token", "send Authorization: Bearer <token>")
    with sessions() as session:
        token = tokens.authenticate(session, credentials.credentials.strip())
        if token is None:
            raise ApiError(401, "invalid_token", "the token is unknown or revoked")
        return Actor(token_id=token.id, name=token.name, role=token.role, tenant=token.tenant)


PrincipalDep = Annotated[Actor, Depends(get_principal)]


def require(*roles: str) -> Callable[[Actor], Actor]:
    def check(principal: PrincipalDep) -> Actor:
        if principal.role not in roles:
            raise ApiError(403, "forbidden", f"this needs the {' or '.join(roles)} role")
        return principal

    check.__name__ = f"require_{'_or_'.join(roles)}"
    return check


Physician = Annotated[Actor, Depends(require("physician"))]
Author = Annotated[Actor, Depends(require("physician", "coder"))]
Coder = Annotated[Actor, Depends(require("coder"))]
Reader = Annotated[Actor, Depends(require("physician", "coder", "auditor"))]
Auditor = Annotated[Actor, Depends(require("auditor"))]
Admin = Annotated[Actor, Depends(require("admin"))]


async def get_fingerprint(request: Request) -> str:
    """Hash of method, path, query and body; async only to read the body (FastAPI has cached it)."""
    target = f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path
    return idempotency.fingerprint(request.method, target, await request.body())


def get_idempotency_key(principal: PrincipalDep, fingerprint: Annotated[str, Depends(get_fingerprint)],
                        key: Annotated[str | None, Header(alias="Idempotency-Key",
                                                          description="retry-safe POSTs, scoped per token")] = None,
                        ) -> IdempotencyRequest | None:
    if key is None:
        return None
    if not 1 <= len(key) <= idempotency.MAX_KEY:
        raise ApiError(422, "invalid_idempotency_key", f"Idempotency-Key must be 1-{idempotency.MAX_KEY} characters",
                       field="Idempotency-Key")
    assert principal.token_id is not None
    return IdempotencyRequest(token_id=principal.token_id, key=key, fingerprint=fingerprint)


IdempotencyKeyDep = Annotated[IdempotencyRequest | None, Depends(get_idempotency_key)]


def get_idempotency(request: IdempotencyKeyDep, session: LockedSessionDep,
                    protector: ProtectorDep) -> IdempotencyRequest | None:
    """Replay a repeated request (or refuse a reused key) before any state check runs."""
    idempotency.check(session, request, protector)
    return request


IdempotencyDep = Annotated[IdempotencyRequest | None, Depends(get_idempotency)]


def precheck_idempotency(request: IdempotencyKeyDep, sessions: SessionsDep,
                         protector: ProtectorDep) -> IdempotencyRequest | None:
    """For routes that analyze a note before locking: replay a repeat without re-analyzing.
    The route checks again under the lock, in case a twin request finished meanwhile."""
    if request is not None:
        with sessions() as session:
            idempotency.check(session, request, protector)
    return request


PrecheckedIdempotencyDep = Annotated[IdempotencyRequest | None, Depends(precheck_idempotency)]


def get_encounter(encounter_id: Annotated[str, Path()], principal: PrincipalDep,
                  session: LockedSessionDep) -> Encounter:
    """Another tenant's encounter, or another physician's, is 404: its existence is not disclosed."""
    enc = encounters.find(session, principal, encounter_id) if ID.match(encounter_id) else None
    if enc is None:
        raise not_found("encounter")
    return enc


EncounterDep = Annotated[Encounter, Depends(get_encounter)]


def get_open_encounter(enc: EncounterDep) -> Encounter:
    if enc.status == "released":
        raise conflict("encounter_released", "the encounter is released and read-only")
    return enc


OpenEncounterDep = Annotated[Encounter, Depends(get_open_encounter)]
