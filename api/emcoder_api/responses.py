"""Finish a request: remember the answer for its Idempotency-Key, commit, then answer.

Committing before the response exists is what makes an acknowledged decision durable: a client
that saw 2xx can rely on the row (and its audit record) having reached the disk.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from emcoder_api.crypto import Protector
from emcoder_api.services import idempotency
from emcoder_api.services.idempotency import IdempotencyRequest


def commit_json(session: Session, model: BaseModel, status: int = 200,
                idem: IdempotencyRequest | None = None, protector: Protector | None = None) -> JSONResponse:
    body = model.model_dump(mode="json")
    if idem is not None:
        assert protector is not None
        idempotency.remember(session, idem, protector, status, body)
    session.commit()
    return JSONResponse(body, status_code=status)
