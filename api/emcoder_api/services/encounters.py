"""Encounters and their note versions: store the note once per version, open one review item per
suggestion, and keep the encounter's status in step with its items.

Callers hold the audit lock (`audit.lock`) and commit; these functions only flush.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from emcoder.encounter import Encounter as EncounterContext
from emcoder.results import Analysis
from emcoder_api import audit
from emcoder_api.audit import Actor
from emcoder_api.crypto import Protector
from emcoder_api.models import Encounter, Item, NoteVersion, new_id, utcnow
from emcoder_api.services.suggestions import from_analysis


def submit(session: Session, actor: Actor, protector: Protector, note: str,
           context: EncounterContext, analysis: Analysis) -> Encounter:
    enc = Encounter(id=new_id("enc"), tenant=actor.tenant, submitted_by=actor.name, status="in_review",
                    current_version=1, created_at=utcnow())
    session.add(enc)
    session.flush()
    version = _store_version(session, actor, protector, enc, 1, note, context, analysis)
    audit.append(session, actor, "encounter.create", f"encounter:{enc.id}",
                 after={**_version_facts(session, version), "status": enc.status})
    return enc


def current_context(session: Session, enc: Encounter) -> EncounterContext:
    """The encounter context the caller gave for the current version."""
    prior = session.execute(select(NoteVersion.context).where(
        NoteVersion.encounter_id == enc.id, NoteVersion.number == enc.current_version)).scalar_one()
    return EncounterContext.model_validate(prior)


def add_version(session: Session, actor: Actor, protector: Protector, enc: Encounter, note: str,
                context: EncounterContext, analysis: Analysis) -> NoteVersion:
    """A re-analysis of an edited note. Earlier decisions stay on record; pending items of the
    earlier version become `superseded`, since they no longer describe the current note."""
    previous = enc.current_version
    pending = session.execute(select(Item).where(
        Item.encounter_id == enc.id, Item.version_number == previous, Item.status == "pending")).scalars().all()
    for item in pending:
        item.status = "superseded"
    superseded = [item.id for item in pending]
    enc.current_version = previous + 1
    version = _store_version(session, actor, protector, enc, previous + 1, note, context, analysis)
    audit.append(session, actor, "encounter.version", f"encounter:{enc.id}",
                 before={"version": previous, "superseded_items": sorted(superseded)},
                 after={**_version_facts(session, version), "status": enc.status})
    return version


def _store_version(session: Session, actor: Actor, protector: Protector, enc: Encounter, number: int,
                   note: str, context: EncounterContext, analysis: Analysis) -> NoteVersion:
    raw = note.encode("utf-8")
    version = NoteVersion(
        id=new_id("ver"), encounter_id=enc.id, number=number, note_sealed=protector.seal(note),
        note_sha256=hashlib.sha256(raw).hexdigest(), note_bytes=len(raw),
        context=context.model_dump(mode="json", exclude_none=True),
        analysis_sealed=protector.seal(analysis.model_dump_json()), emcoder_version=analysis.emcoder_version,
        ruleset_version=analysis.ruleset_version, ruleset_sha256=analysis.ruleset_sha256,
        created_at=utcnow(), created_by=actor.name)
    session.add(version)
    used = analysis.encounter
    enc.date_of_service = used.date_of_service
    enc.setting = used.setting.value if used.setting is not None else None
    now = utcnow()
    for position, s in enumerate(from_analysis(analysis)):
        session.add(Item(
            id=new_id("itm"), encounter_id=enc.id, version_number=number, position=position, kind=s.kind,
            code=s.code, label_sealed=protector.seal(s.label), rationale_sealed=protector.seal_optional(s.rationale),
            draft_sealed=None if s.draft is None else protector.seal(json.dumps(s.draft, default=str)),
            evidence=s.evidence, rule_id=s.rule_id, origin="system", status="pending", final_code=None,
            ruleset_version=analysis.ruleset_version, ruleset_sha256=analysis.ruleset_sha256, created_at=now))
    session.flush()
    refresh_status(session, enc)
    return version


def _version_facts(session: Session, version: NoteVersion) -> dict[str, Any]:
    """What the audit trail records about a version: hashes and counts, never the text."""
    items = session.execute(select(Item.id, Item.kind, Item.code).where(
        Item.encounter_id == version.encounter_id, Item.version_number == version.number)
        .order_by(Item.position)).all()
    return {"version": version.number, "note_sha256": version.note_sha256, "note_bytes": version.note_bytes,
            "ruleset_version": version.ruleset_version, "ruleset_sha256": version.ruleset_sha256,
            "items": [{"id": i.id, "kind": i.kind, "code": i.code} for i in items]}


def refresh_status(session: Session, enc: Encounter) -> None:
    if enc.status == "released":
        return
    pending = session.execute(select(func.count()).select_from(Item).where(
        Item.encounter_id == enc.id, Item.version_number == enc.current_version, Item.status == "pending")).scalar_one()
    enc.status = "in_review" if pending else "ready"


def visible(actor: Actor) -> ColumnElement[bool]:
    """Which encounters a token may see: its tenant's; for a physician, only their own."""
    clause = Encounter.tenant == actor.tenant
    if actor.role == "physician":
        clause = clause & (Encounter.submitted_by == actor.name)
    return clause


def page(session: Session, actor: Actor, *, status: str | None, date_from: dt.date | None,
         date_to: dt.date | None, coder: str | None, limit: int, offset: int) -> tuple[list[Encounter], int]:
    where = [visible(actor)]
    if status is not None:
        where.append(Encounter.status == status)
    if date_from is not None:
        where.append(Encounter.date_of_service >= date_from)
    if date_to is not None:
        where.append(Encounter.date_of_service <= date_to)
    if coder is not None:
        where.append(Encounter.coder == coder)
    total = session.execute(select(func.count()).select_from(Encounter).where(*where)).scalar_one()
    rows = session.execute(select(Encounter).where(*where).order_by(Encounter.created_at.desc(), Encounter.id)
                           .limit(limit).offset(offset)).scalars().all()
    return list(rows), total


def find(session: Session, actor: Actor, encounter_id: str) -> Encounter | None:
    return session.execute(select(Encounter).where(Encounter.id == encounter_id, visible(actor))).scalar_one_or_none()
