"""Idempotency-Key: a retried POST gets the stored first answer instead of acting twice.

Keys are scoped per token. The fingerprint covers method, path and the body (JSON compared by
value, so re-serialized retries still match). Successful responses are stored in the same
transaction as the change they report, so "done" and "remembered" cannot disagree after a crash.
Stored responses can hold note text, so they are sealed like the note.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emcoder_api.crypto import Protector
from emcoder_api.errors import ApiError, IdempotentReplay
from emcoder_api.models import IdempotencyRecord, utcnow

MAX_KEY = 255


@dataclass(frozen=True)
class IdempotencyRequest:
    token_id: str
    key: str
    fingerprint: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode("utf-8")
    except (ValueError, UnicodeError):
        canonical = body
    digest = hashlib.sha256(f"{method.upper()} {path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def check(session: Session, request: IdempotencyRequest | None, protector: Protector) -> None:
    """Raise `IdempotentReplay` for a repeat, a 422 for a reused key; return for a new key."""
    if request is None:
        return
    stored = session.execute(select(IdempotencyRecord).where(
        IdempotencyRecord.token_id == request.token_id, IdempotencyRecord.key == request.key)).scalar_one_or_none()
    if stored is None:
        return
    if stored.request_sha256 != request.fingerprint:
        raise ApiError(422, "idempotency_key_reused",
                       "this Idempotency-Key was used for a different request; use a new key",
                       field="Idempotency-Key")
    raise IdempotentReplay(stored.status_code, json.loads(protector.open(stored.response_sealed)))


def remember(session: Session, request: IdempotencyRequest | None, protector: Protector,
             status: int, body: Any) -> None:
    if request is None:
        return
    session.add(IdempotencyRecord(token_id=request.token_id, key=request.key,
                                  request_sha256=request.fingerprint, status_code=status,
                                  response_sealed=protector.seal(json.dumps(body)), created_at=utcnow()))
    session.flush()
