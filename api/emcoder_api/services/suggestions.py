"""Turn an `Analysis` into review items: one per E/M code, CPT/HCPCS code, add-on, ICD-10-CM code
and draft query. Pure functions, no storage.

Evidence keeps offsets only; its text is cut from the stored note when read, so the note is the
one copy of the text. A MDM-based E/M code has no evidence of its own, so it cites the counted
items behind the MDM level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from emcoder.results import Analysis, CodeSuggestion

CPT_KINDS = {"em": "em", "addon": "addon", "procedure": "cpt"}


@dataclass(frozen=True)
class Suggestion:
    kind: str
    code: str | None
    label: str
    rationale: str | None
    rule_id: str | None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    draft: dict[str, Any] | None = None  # queries only: question, format, options


def spans(evidence: Iterable[Any]) -> list[dict[str, Any]]:
    """Offsets (and section) of evidence objects or dicts, each span once; spans without offsets are skipped."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for ev in evidence or ():
        get = ev.get if isinstance(ev, dict) else (lambda k, _ev=ev: getattr(_ev, k, None))
        start, end = get("start"), get("end")
        if isinstance(start, int) and isinstance(end, int) and (start, end) not in seen:
            seen.add((start, end))
            out.append({"start": start, "end": end, "section": get("section")})
    return out


def _mdm_evidence(analysis: Analysis) -> list[dict[str, Any]]:
    ids = {i for score in (analysis.mdm.problems, analysis.mdm.data, analysis.mdm.risk) for i in score.items}
    return spans(ev for item in analysis.items if item.id in ids and item.counted for ev in item.evidence)


def _procedure(analysis: Analysis, s: CodeSuggestion) -> Suggestion:
    kind = CPT_KINDS.get(s.kind, "cpt")
    evidence = spans(s.evidence)
    if kind == "em" and not evidence:
        evidence = _mdm_evidence(analysis)
    return Suggestion(kind=kind, code=s.billed_as, label=s.description, rationale=s.rationale,
                      rule_id=s.rule_id, evidence=evidence)


def _as_dict(obj: Any) -> dict[str, Any]:
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    if isinstance(obj, dict):
        return obj
    return {"label": str(obj)}


def _query(gap: Any) -> Suggestion:
    """A documentation gap and its draft provider query (`DocumentationGap`: label, reason, rule_id,
    query{format, question, options, indicators}). Read by field name, so a changed or dict-shaped
    gap still becomes an item instead of failing the whole submission."""
    d = _as_dict(gap)
    query = d.get("query") if isinstance(d.get("query"), dict) else {}
    label = next((str(v) for v in (d.get("label"), query.get("question"), d.get("question"), d.get("text"))
                  if v), "documentation gap")
    draft = {k: query[k] for k in ("format", "question", "options") if k in query}
    for key in ("question", "options"):
        if key not in draft and d.get(key):
            draft[key] = d[key]
    if d.get("id"):
        draft["gap_id"] = str(d["id"])
    return Suggestion(kind="query", code=None, label=label,
                      rationale=_text(d.get("reason") or d.get("rationale")), rule_id=_text(d.get("rule_id")),
                      evidence=spans(query.get("indicators") or d.get("evidence") or ()),
                      draft=draft or None)


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def from_analysis(analysis: Analysis) -> list[Suggestion]:
    out = [_procedure(analysis, s) for s in analysis.cpt]
    out += [Suggestion(kind="icd10cm", code=dx.code, label=getattr(dx, "description", dx.code),
                       rationale=getattr(dx, "rationale", None), rule_id=getattr(dx, "rule_id", None),
                       evidence=spans(getattr(dx, "evidence", ()))) for dx in analysis.icd10cm]
    out += [_query(gap) for gap in analysis.gaps]
    return out
