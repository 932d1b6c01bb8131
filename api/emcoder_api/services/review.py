"""A coder's work on an encounter: decide on items, add missed codes, release, export.

Nothing is released while an item of the current version is pending; a released encounter is
read-only (the routes refuse changes before reaching here). Callers hold the audit lock.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emcoder_api import audit, codes, schemas
from emcoder_api.audit import Actor
from emcoder_api.crypto import Protector
from emcoder_api.errors import conflict, invalid, not_found
from emcoder_api.models import Decision, Encounter, Item, NoteVersion, new_id, utcnow
from emcoder_api.services.encounters import refresh_status
from emcoder_api.services.present import aware

STATUS_AFTER = {"accept": "accepted", "reject": "rejected", "modify": "modified"}
KIND_OF_ADDITION = {"icd10cm": "icd10cm", "cpt": "cpt"}


def _item(session: Session, enc: Encounter, item_id: str) -> Item:
    item = session.execute(select(Item).where(Item.id == item_id, Item.encounter_id == enc.id)).scalar_one_or_none()
    if item is None:
        raise not_found("item")
    if item.version_number != enc.current_version:
        raise conflict("item_superseded", f"item {item.id} belongs to version {item.version_number}; "
                       f"the current version is {enc.current_version}")
    return item


def _record(session: Session, actor: Actor, enc: Encounter, item: Item, action: str, reason: str | None,
            replacement: str | None) -> Decision:
    seq = session.execute(select(func.count()).select_from(Decision).where(Decision.item_id == item.id)).scalar_one()
    decision = Decision(id=new_id("dec"), seq=seq + 1, item_id=item.id, encounter_id=enc.id, action=action,
                        reason=reason, replacement_code=replacement, decided_by=actor.name,
                        token_id=actor.token_id or "", decided_at=utcnow())
    session.add(decision)
    enc.coder = actor.name
    session.flush()
    refresh_status(session, enc)
    return decision


def decide(session: Session, actor: Actor, enc: Encounter, item_id: str, body: schemas.DecisionCreate) -> Item:
    item = _item(session, enc, item_id)
    reason = (body.reason or "").strip() or None
    if body.action != "accept" and reason is None:
        raise invalid("reason_required", f"a reason is required to {body.action} a suggestion", "reason")
    replacement = None
    if body.action == "modify":
        if item.kind == "query":
            raise invalid("modify_not_allowed", "a draft query can be accepted or rejected, not modified", "action")
        if not (body.replacement_code or "").strip():
            raise invalid("replacement_code_required", "modify needs a replacement_code", "replacement_code")
        replacement = codes.for_kind(item.kind, body.replacement_code or "", "replacement_code")
    before = {"status": item.status, "final_code": item.final_code}
    item.status = STATUS_AFTER[body.action]
    item.final_code = {"accept": item.code, "reject": None, "modify": replacement}[body.action]
    decision = _record(session, actor, enc, item, body.action, reason, replacement)
    audit.append(session, actor, f"item.{body.action}", f"item:{item.id}", before=before,
                 after={"status": item.status, "final_code": item.final_code, "reason": reason,
                        "decision": decision.id, "encounter": enc.id, "kind": item.kind, "code": item.code})
    return item


def add(session: Session, actor: Actor, protector: Protector, enc: Encounter, body: schemas.ItemCreate) -> Item:
    """A code the system missed, entered by the coder: accepted on entry, with the coder's reason."""
    code = codes.for_kind(body.kind, body.code, "code")
    reason = body.reason.strip()
    if not reason:
        raise invalid("reason_required", "a reason is required to add a code", "reason")
    version = session.execute(select(NoteVersion).where(
        NoteVersion.encounter_id == enc.id, NoteVersion.number == enc.current_version)).scalar_one()
    current = session.execute(select(Item).where(
        Item.encounter_id == enc.id, Item.version_number == enc.current_version)).scalars().all()
    if body.kind == "icd10cm" and any(i.kind == "icd10cm" and code in (i.code, i.final_code)
                                      and i.status not in ("rejected", "superseded") for i in current):
        raise conflict("duplicate_code", f"{code} is already on this encounter")
    description = _description(body.kind, code)
    item = Item(id=new_id("itm"), encounter_id=enc.id, version_number=enc.current_version,
                position=max((i.position for i in current), default=-1) + 1, kind=KIND_OF_ADDITION[body.kind],
                code=code, label_sealed=protector.seal(description), rationale_sealed=None, evidence=[],
                draft_sealed=None, rule_id=None, origin="coder", status="accepted", final_code=code,
                ruleset_version=version.ruleset_version, ruleset_sha256=version.ruleset_sha256, created_at=utcnow())
    session.add(item)
    session.flush()
    decision = _record(session, actor, enc, item, "add", reason, None)
    audit.append(session, actor, "item.add", f"item:{item.id}",
                 after={"kind": item.kind, "code": code, "status": item.status, "reason": reason,
                        "decision": decision.id, "encounter": enc.id})
    return item


def _description(kind: str, code: str) -> str:
    if kind == "icd10cm":
        import simple_icd_10_cm as cm

        return cm.get_description(code)
    return f"CPT/HCPCS {code} (added by coder)"


def release(session: Session, actor: Actor, enc: Encounter) -> Encounter:
    pending = session.execute(select(Item.id).where(
        Item.encounter_id == enc.id, Item.version_number == enc.current_version, Item.status == "pending")
        .order_by(Item.position)).scalars().all()
    if pending:
        raise conflict("unresolved_items", f"{len(pending)} item(s) still pending a decision", items=list(pending))
    before = {"status": enc.status}
    enc.status, enc.released_at, enc.released_by, enc.coder = "released", utcnow(), actor.name, actor.name
    session.flush()
    audit.append(session, actor, "encounter.release", f"encounter:{enc.id}", before=before,
                 after={"status": "released", "version": enc.current_version,
                        "codes": [c.code for c in final_codes(session, enc)]})
    return enc


def final_codes(session: Session, enc: Encounter) -> list[schemas.FinalCode]:
    items = session.execute(select(Item).where(
        Item.encounter_id == enc.id, Item.version_number == enc.current_version,
        Item.status.in_(("accepted", "modified")), Item.kind != "query").order_by(Item.position)).scalars().all()
    return [schemas.FinalCode(item_id=i.id, kind=i.kind, code=i.final_code or "", origin=i.origin,
                              suggested_code=i.code if i.status == "modified" else None, status=i.status)
            for i in items]


def export(session: Session, protector: Protector, actor: Actor, enc: Encounter) -> schemas.ExportOut:
    if enc.status != "released":
        raise conflict("not_released", "the final code set exists only after release")
    version = session.execute(select(NoteVersion).where(
        NoteVersion.encounter_id == enc.id, NoteVersion.number == enc.current_version)).scalar_one()
    lines = final_codes(session, enc)
    queries = session.execute(select(Item).where(
        Item.encounter_id == enc.id, Item.version_number == enc.current_version, Item.kind == "query",
        Item.status == "accepted").order_by(Item.position)).scalars().all()
    out = schemas.ExportOut(
        encounter_id=enc.id, version=enc.current_version, date_of_service=enc.date_of_service,
        released_at=aware(enc.released_at), released_by=enc.released_by or "",
        emcoder_version=version.emcoder_version, ruleset_version=version.ruleset_version,
        ruleset_sha256=version.ruleset_sha256,
        em=[c.code for c in lines if c.kind == "em"], cpt=[c.code for c in lines if c.kind in ("em", "cpt", "addon")],
        icd10cm=[c.code for c in lines if c.kind == "icd10cm"], codes=lines,
        queries=[schemas.FinalQuery(item_id=q.id, label=protector.open(q.label_sealed),
                                    draft=None if q.draft_sealed is None else json.loads(protector.open(q.draft_sealed)))
                 for q in queries])
    audit.append(session, actor, "encounter.export", f"encounter:{enc.id}",
                 after={"version": enc.current_version, "codes": [c.code for c in lines]})
    return out
