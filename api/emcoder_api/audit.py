"""Append-only, hash-chained audit trail: each record commits to every record before it.

`hash = sha256(prev_hash + canonical_json(record))`. Appends lock the single `audit_head` row
(SELECT ... FOR UPDATE on PostgreSQL; SQLite transactions are already IMMEDIATE), so two
concurrent requests can never both extend the same link and fork the chain. Records name who,
what and when; callers pass ids, codes and statuses, never note text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emcoder_api.models import AuditHead, AuditRecord

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who acts: an API token, or the local operator (`token_id=None`) for CLI commands."""

    token_id: str | None
    name: str
    role: str
    tenant: str


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def lock(session: Session) -> AuditHead:
    """Take the chain lock. Writers call this first, so their reads see the state they change."""
    stmt = select(AuditHead).where(AuditHead.id == 1).with_for_update().execution_options(populate_existing=True)
    return session.execute(stmt).scalar_one()


def payload(record: AuditRecord) -> dict[str, Any]:
    """The hashed content of a record: everything but the two hashes."""
    return {
        "id": record.id, "at": record.at, "token_id": record.token_id, "actor": record.actor,
        "role": record.role, "tenant": record.tenant, "action": record.action, "target": record.target,
        "before": None if record.before is None else json.loads(record.before),
        "after": None if record.after is None else json.loads(record.after),
    }


def link_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


def append(session: Session, actor: Actor, action: str, target: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> AuditRecord:
    """Add one record in the caller's transaction: it commits (or rolls back) with the change."""
    head = lock(session)
    record = AuditRecord(
        id=head.last_id + 1, at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        token_id=actor.token_id, actor=actor.name, role=actor.role, tenant=actor.tenant, action=action,
        target=target, before=None if before is None else canonical(before),
        after=None if after is None else canonical(after), prev_hash=head.last_hash,
    )
    record.hash = link_hash(head.last_hash, payload(record))
    head.last_id, head.last_hash = record.id, record.hash
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class Verdict:
    intact: bool
    count: int
    broken_id: int | None = None
    reason: str | None = None

    def describe(self) -> str:
        if self.intact:
            return f"audit chain intact ({self.count} records)"
        return f"audit chain broken at record {self.broken_id}: {self.reason}"


def verify(session: Session) -> Verdict:
    """Recompute the chain from the first record; name the first record that does not fit."""
    prev, expected, count = GENESIS, 1, 0
    rows = session.execute(select(AuditRecord).order_by(AuditRecord.id).execution_options(yield_per=500))
    for record in rows.scalars():
        if record.id != expected:
            return Verdict(False, count, record.id, f"record {expected} is missing before it")
        if record.prev_hash != prev:
            return Verdict(False, count, record.id, "its prev_hash is not the previous record's hash")
        try:
            content = payload(record)
        except ValueError:
            return Verdict(False, count, record.id, "its before/after is not valid JSON")
        if link_hash(prev, content) != record.hash:
            return Verdict(False, count, record.id, "its contents do not match its hash (edited)")
        prev, expected, count = record.hash, expected + 1, count + 1
    head = session.get(AuditHead, 1)
    if head is None:
        return Verdict(False, count, None, "the chain head row is missing")
    if head.last_id != count or head.last_hash != prev:
        return Verdict(False, count, count + 1 if head.last_id > count else head.last_id,
                       f"the chain head says {head.last_id} records; records after {count} are missing "
                       "or the head was altered")
    return Verdict(True, count)
