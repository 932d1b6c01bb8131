"""`analyze(text, encounter)`: the whole analysis of one note, as a typed `Analysis`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from emcoder import __version__
from emcoder.encounter import Encounter
from emcoder.encounter_inference import infer_encounter
from emcoder.errors import InputError
from emcoder.note_input import validate_note
from emcoder.icd10.codeset import codeset_for
from emcoder.icd10.lexicon import get_lexicon
from emcoder.icd10.suggest import DiagnosisCoder
from emcoder.pipeline import get_pipeline
from emcoder.pipeline.common import evidence, next_id
from emcoder.results import Analysis, CodeSuggestion, EMRecommendation, Evidence, MDMItem, Section, TimeResult
from emcoder.rules.loader import RuleSet, load_ruleset
from emcoder.gaps import GapContext, GapDetectors, coding_flags
from emcoder.scoring.em import describe, find_family, recommend
from emcoder.scoring.mdm import score_mdm


def coerce_encounter(encounter: Encounter | Mapping[str, Any] | None) -> Encounter:
    if encounter is None:
        return Encounter()
    if isinstance(encounter, Encounter):
        return encounter
    try:
        return Encounter.model_validate(dict(encounter))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "encounter"
        raise InputError(f"encounter.{where}", first["msg"], error_code="encounter_invalid") from None


def _no_em_reason(text: str, rules: RuleSet) -> tuple[str, str, re.Match[str]] | None:
    for rule in rules.no_em.rules:
        for pattern in rule.patterns:
            m = re.search(pattern, text, re.I if not pattern.isupper() else 0)
            if m and not any(re.search(u, text, re.I) for u in rule.unless):
                return rule.reason, rule.id, m
    return None


def _admitting_decision(doc, setting: str | None, rules: RuleSet) -> tuple[MDMItem, ...]:
    """The admitting physician's note documents the decision to admit (a configurable [?] rule,
    `admitting_note_decides_hospitalization` in risk_cues.yaml), cited at the note's assessment."""
    rule = rules.risk_cues.admitting_note_decides_hospitalization
    items = doc._.emcoder_items or ()
    if rule is None or not rule.enabled or setting not in rule.settings \
            or any(i.label == "hospitalization_decision" and i.counted for i in items):
        return ()
    sections = [s for s in doc._.emcoder_sections or () if s.role in ("assessment", "plan")]
    start, end = (sections[0].start, sections[0].end) if sections else (0, len(doc.text))
    line_end = doc.text.find("\n", start, end)
    end = line_end if line_end > start else min(end, start + 120)
    return (MDMItem(id=next_id(doc, "R"), element="risk", label="hospitalization_decision",
                    description=f"decision about hospitalization: {rule.note}",
                    evidence=(evidence(doc, start, end),), rule_id=rule.id),)


# Fact sheet 3 (NCCI global surgery): the E/M that results in the decision for a major (90-day
# global) operation on the day of or the day before it takes modifier 57, not 25.
MAJOR_SURGERY = ("emergency_major_surgery", "elective_major_surgery_no_risk_factors",
                 "elective_major_surgery_with_risk_factors")
SURGERY_SOON = re.compile(r"\b(today|this (morning|afternoon|evening)|tonight|tomorrow( morning)?|emergent(ly)?|"
                          r"(directly|straight) to the (or|operating room)|same[- ]day surgery|within the hour)\b", re.I)


def _surgery_decision_57(doc) -> str | None:
    for item in doc._.emcoder_items or ():
        if item.element == "risk" and item.counted and item.label in MAJOR_SURGERY:
            m = SURGERY_SOON.search(item.evidence[0].text)
            if m:
                return f"({m.group(0)})"
    return None


def _time_result(doc) -> TimeResult:
    finding = doc._.emcoder_time
    if finding is None:
        return TimeResult(total_minutes=None, note="no total time documented")
    return TimeResult(total_minutes=finding.minutes, evidence=(evidence(doc, finding.start, finding.end),),
                      activities=finding.activities, rule_id=finding.rule_id, note="")


def _visit_complexity(doc, em: EMRecommendation, context: Encounter, modifier25: bool,
                      rules: RuleSet) -> CodeSuggestion | None:
    """G2211 when the payer and family allow it, the note shows the longitudinal relationship,
    and the E/M carries no modifier 25 for a procedure."""
    vc = rules.families.visit_complexity
    payer = context.payer.value if context.payer else "commercial"
    start = vc.families.get(em.family or "")
    if not em.code or payer not in vc.payers or start is None or modifier25:
        return None
    if context.date_of_service is not None and context.date_of_service < start:
        return None
    m = re.search(vc.relationship, doc.text, re.I)
    if m is None:
        return None
    return CodeSuggestion(code=vc.code, kind="addon", description=vc.description,
                          evidence=(evidence(doc, m.start(), m.end()),), rule_id="em.visit_complexity.g2211.v1",
                          rationale="Medicare office/home E/M within a continuing longitudinal relationship")


def _cpt(doc, em: EMRecommendation, time: TimeResult, rules: RuleSet,
         context: Encounter) -> tuple[CodeSuggestion, ...]:
    out: list[CodeSuggestion] = []
    procedures = doc._.emcoder_procedures or []
    for p in procedures:
        out.append(CodeSuggestion(code=p.code, kind="procedure", description=p.description,
                                  evidence=(evidence(doc, p.start, p.end),), rule_id=p.rule_id,
                                  rationale="performed by this clinician at this visit"))
    if em.code:
        ev = time.evidence if em.basis == "time" else ()
        # Modifier 25: a significant, separately identifiable E/M on the day of a minor procedure
        # or injection (diagnostic tests need none; annotation conventions).
        with_25 = [p.code for p in procedures if p.modifier25]
        decision_57 = None if with_25 else _surgery_decision_57(doc)
        modifiers = ("25",) if with_25 else ("57",) if decision_57 else ()
        rationale = em.reason + (f"; modifier 25 for the same-day {', '.join(with_25)}" if with_25 else "") \
            + (f"; modifier 57: this visit decided on major surgery {decision_57}" if decision_57 else "")
        out.insert(0, CodeSuggestion(code=em.code, kind="em", description=describe(em.code, rules), evidence=ev,
                                     modifiers=modifiers, rationale=rationale, rule_id=em.rule_id or "em"))
        g2211 = _visit_complexity(doc, em, context, bool(with_25), rules)
        if g2211 is not None:
            out.append(g2211)
        if em.basis == "time":
            for addon in time.prolonged:
                for _ in range(addon.units):
                    out.append(CodeSuggestion(code=addon.code, kind="addon", description=addon.description,
                                              evidence=time.evidence, rule_id=addon.rule_id,
                                              rationale=f"{time.total_minutes} minutes total time"))
    return tuple(out)


def _chief_complaint(doc) -> str | None:
    for section in doc._.emcoder_sections or ():
        if section.category == "chief_complaint":
            return doc.text[section.start:section.end]
    return None


def analyze(text: str, encounter: Encounter | Mapping[str, Any] | None = None, *,
            selected_code: str | None = None) -> Analysis:
    """Analyze one clinical note for the given encounter context (missing fields are inferred).

    `selected_code`, when the note's author chose an E/M code, is compared with the level the
    documentation supports and flagged as over- or under-coding.
    """
    validate_note(text)
    rules = load_ruleset()
    given = coerce_encounter(encounter)
    context, inferences = infer_encounter(text, given)
    doc = get_pipeline()(text)
    items = tuple(doc._.emcoder_items or ()) + _admitting_decision(doc, context.setting, rules)
    mdm = score_mdm(items, rules)
    time = _time_result(doc)
    em, time = recommend(context, mdm, time, rules)
    warnings: list[str] = []
    no_em = _no_em_reason(text, rules)
    if no_em is not None:
        reason, rule_id, match = no_em
        em = em.model_copy(update={
            "code": None, "basis": None, "no_em_reason": reason, "rule_id": rule_id,
            "reason": f"no billable E/M: {reason} (the note says '{match.group(0)}')",
        })
    cpt = _cpt(doc, em, time, rules, context)
    codeset, release_warning = codeset_for(context.date_of_service)
    if release_warning:
        warnings.append(release_warning)
    diagnoses = DiagnosisCoder(rules, get_lexicon()).suggest(doc, codeset, _chief_complaint(doc))
    gaps = GapDetectors(rules).detect(GapContext(doc, items, time, em, tuple(diagnoses), tuple(inferences)))
    family = find_family(context, rules)
    flags = coding_flags(selected_code, em, [c.code for c in family.codes] if family else [])
    sections = tuple(Section(category=s.category, start=s.start, end=s.end, title=s.title)
                     for s in doc._.emcoder_sections or ())
    for inf in inferences:
        if inf.field in ("setting", "patient"):
            warnings.append(f"{inf.field} inferred as {inf.value}: {inf.reason}")
    return Analysis(
        emcoder_version=__version__, ruleset_version=rules.version, ruleset_sha256=rules.sha256,
        encounter=context, inferences=tuple(inferences), sections=sections, items=items, mdm=mdm,
        time=time, em=em, cpt=cpt, icd10cm=tuple(diagnoses), icd10cm_release=codeset.release.id,
        gaps=tuple(gaps), coding_flags=flags,
        warnings=tuple(warnings),
    )


__all__ = ["analyze", "Evidence"]
