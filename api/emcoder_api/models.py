"""Storage models (SQLAlchemy 2 ORM). Kept apart from the request/response models in `schemas.py`.

Note text, the stored analysis, suggestion labels/rationales and replayable responses are note
derived, so they are stored sealed (`crypto.Protector`); codes, statuses and offsets are not.
The schema itself is created by Alembic (`migrations/`), never by `create_all`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id(prefix: str) -> str:
    """Opaque, unguessable ids with a readable kind prefix (enc_, itm_, ...)."""
    return f"{prefix}_{secrets.token_hex(12)}"


class Base(DeclarativeBase):
    pass


class Token(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    tenant: Mapped[str] = mapped_column(String(100), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Encounter(Base):
    __tablename__ = "encounters"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(100), index=True)
    submitted_by: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    coder: Mapped[str | None] = mapped_column(String(200), index=True)
    date_of_service: Mapped[dt.date | None] = mapped_column(Date, index=True)
    setting: Mapped[str | None] = mapped_column(String(40))
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    released_by: Mapped[str | None] = mapped_column(String(200))


class NoteVersion(Base):
    __tablename__ = "note_versions"
    __table_args__ = (UniqueConstraint("encounter_id", "number"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(ForeignKey("encounters.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    note_sealed: Mapped[str] = mapped_column(Text)
    note_sha256: Mapped[str] = mapped_column(String(64))
    note_bytes: Mapped[int] = mapped_column(Integer)
    context: Mapped[dict[str, Any]] = mapped_column(JSON)  # encounter context as the caller gave it
    analysis_sealed: Mapped[str] = mapped_column(Text)
    emcoder_version: Mapped[str] = mapped_column(String(40))
    ruleset_version: Mapped[str] = mapped_column(String(40))
    ruleset_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class Item(Base):
    """One suggestion (or coder addition) awaiting or carrying a human decision."""

    __tablename__ = "review_items"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(ForeignKey("encounters.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(40))
    label_sealed: Mapped[str] = mapped_column(Text)
    rationale_sealed: Mapped[str | None] = mapped_column(Text)
    draft_sealed: Mapped[str | None] = mapped_column(Text)  # JSON: a query's draft (question, options)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # offsets only, never text
    rule_id: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    final_code: Mapped[str | None] = mapped_column(String(40))
    ruleset_version: Mapped[str] = mapped_column(String(40))
    ruleset_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Decision(Base):
    """Append-only history of what a human decided about an item."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)  # order within the item
    item_id: Mapped[str] = mapped_column(ForeignKey("review_items.id"), index=True)
    encounter_id: Mapped[str] = mapped_column(ForeignKey("encounters.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    replacement_code: Mapped[str | None] = mapped_column(String(40))
    decided_by: Mapped[str] = mapped_column(String(200))
    token_id: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_id: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditRecord(Base):
    """One link of the hash chain; `hash = sha256(prev_hash + canonical_json(record))`."""

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed exactly as stored
    token_id: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    tenant: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200))
    before: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A single row: the chain's last id and hash. Locking it serializes every chain append."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
