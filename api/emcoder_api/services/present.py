"""Storage rows to response models: unseal note-derived text, cut evidence text from the note."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from emcoder_api import schemas
from emcoder_api.crypto import Protector
from emcoder_api.models import Decision, Encounter, Item, NoteVersion


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def encounter_summary(enc: Encounter) -> schemas.EncounterSummary:
    return schemas.EncounterSummary(
        id=enc.id, status=enc.status, submitted_by=enc.submitted_by, coder=enc.coder,
        date_of_service=enc.date_of_service, setting=enc.setting, current_version=enc.current_version,
        created_at=aware(enc.created_at), released_at=aware(enc.released_at), released_by=enc.released_by)


def version_summary(v: NoteVersion) -> schemas.VersionSummary:
    return schemas.VersionSummary(number=v.number, created_at=aware(v.created_at), created_by=v.created_by,
                                  note_sha256=v.note_sha256, emcoder_version=v.emcoder_version,
                                  ruleset_version=v.ruleset_version, ruleset_sha256=v.ruleset_sha256)


def decisions_by_item(session: Session, items: Sequence[Item]) -> dict[str, list[Decision]]:
    out: dict[str, list[Decision]] = defaultdict(list)
    if items:
        rows = session.execute(select(Decision).where(Decision.item_id.in_([i.id for i in items]))
                               .order_by(Decision.item_id, Decision.seq)).scalars()
        for d in rows:
            out[d.item_id].append(d)
    return out


def item_out(item: Item, decisions: Sequence[Decision], note: str | None,
             protector: Protector) -> schemas.ItemOut:
    evidence = [schemas.EvidenceOut(start=e["start"], end=e["end"], section=e.get("section"),
                                    text=note[e["start"]:e["end"]] if note is not None else "")
                for e in item.evidence]
    return schemas.ItemOut(
        id=item.id, version=item.version_number, kind=item.kind, code=item.code,
        label=protector.open(item.label_sealed), rationale=protector.open_optional(item.rationale_sealed),
        evidence=evidence, rule_id=item.rule_id,
        draft=None if item.draft_sealed is None else json.loads(protector.open(item.draft_sealed)),
        origin=item.origin, status=item.status,
        final_code=item.final_code, ruleset_version=item.ruleset_version, ruleset_sha256=item.ruleset_sha256,
        created_at=aware(item.created_at),
        decisions=[schemas.DecisionOut(id=d.id, action=d.action, reason=d.reason,
                                       replacement_code=d.replacement_code, decided_by=d.decided_by,
                                       decided_at=aware(d.decided_at)) for d in decisions])


def items_out(session: Session, items: Sequence[Item], note: str | None,
              protector: Protector) -> list[schemas.ItemOut]:
    decisions = decisions_by_item(session, items)
    return [item_out(i, decisions.get(i.id, []), note, protector) for i in items]


def encounter_detail(session: Session, protector: Protector, enc: Encounter,
                     number: int | None = None) -> schemas.EncounterDetail:
    number = number or enc.current_version
    versions = list(session.execute(select(NoteVersion).where(NoteVersion.encounter_id == enc.id)
                                    .order_by(NoteVersion.number)).scalars())
    version = next(v for v in versions if v.number == number)
    note = protector.open(version.note_sealed)
    items = list(session.execute(select(Item).where(Item.encounter_id == enc.id, Item.version_number == number)
                                 .order_by(Item.position)).scalars())
    return schemas.EncounterDetail(
        **encounter_summary(enc).model_dump(), version=number,
        versions=[version_summary(v) for v in versions], note=note,
        analysis=json.loads(protector.open(version.analysis_sealed)),
        items=items_out(session, items, note, protector))
