"""API tokens: a random secret shown once, stored as its sha256, carrying one role in one tenant."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from emcoder_api import audit
from emcoder_api.audit import Actor
from emcoder_api.models import Token, new_id, utcnow

ROLES = ("physician", "coder", "auditor", "admin")
PREFIX = "emc_"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue(session: Session, actor: Actor, role: str, tenant: str, name: str) -> tuple[Token, str]:
    """Create a token (audited in the caller's transaction); returns it with its one-time secret."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = Token(id=new_id("tok"), name=name, role=role, tenant=tenant, secret_sha256=secret_hash(secret),
                  created_at=utcnow(), created_by=actor.name)
    session.add(token)
    audit.append(session, actor, "token.create", f"token:{token.id}",
                 after={"name": name, "role": role, "tenant": tenant})
    return token, secret


def authenticate(session: Session, secret: str) -> Token | None:
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = session.execute(select(Token).where(Token.secret_sha256 == secret_hash(secret))).scalar_one_or_none()
    return token if token is not None and token.revoked_at is None else None


def revoke(session: Session, actor: Actor, token: Token) -> Token:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.append(session, actor, "token.revoke", f"token:{token.id}",
                     before={"revoked": False}, after={"revoked": True})
    return token


def in_tenant(session: Session, tenant: str) -> list[Token]:
    return list(session.execute(select(Token).where(Token.tenant == tenant).order_by(Token.created_at)).scalars())
