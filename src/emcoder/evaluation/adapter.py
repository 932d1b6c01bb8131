"""Turn an `Analysis` into the evaluation suite's `Prediction` (the contract with the suite)."""

from __future__ import annotations

from emcoder.evaluation.prediction import Prediction, Span, Suggestion
from emcoder.results import Analysis


def to_prediction(a: Analysis) -> Prediction:
    suggestions: list[Suggestion] = []
    for item in a.items:
        if not item.counted:
            continue
        suggestions.append(Suggestion(
            kind="mdm_item", label=item.label, element=item.element,
            spans=tuple(Span(e.start, e.end) for e in item.evidence),
            explanation=f"{item.id} {item.description} [{item.rule_id}]",
        ))
    for code in a.cpt:
        spans = tuple(Span(e.start, e.end) for e in code.evidence)
        if code.kind == "em" and not spans:
            # The E/M code rests on the counted MDM items: cite theirs.
            spans = tuple(Span(e.start, e.end) for i in a.items if i.counted for e in i.evidence[:1])
        suggestions.append(Suggestion(kind="cpt", label=code.billed_as, element=None, spans=spans,
                                      explanation=code.rationale))
    for dx in a.icd10cm:
        suggestions.append(Suggestion(kind="icd10cm", label=dx.code, element=None,
                                      spans=tuple(Span(e.start, e.end) for e in dx.evidence),
                                      explanation=dx.rationale))
    return Prediction(
        em_code=a.em.code, basis=a.em.basis,
        mdm={"problems": a.mdm.problems.level, "data": a.mdm.data.level, "risk": a.mdm.risk.level,
             "level": a.mdm.level},
        time_minutes=a.time.total_minutes,
        icd10cm=tuple(dx.code for dx in a.icd10cm),
        cpt=tuple(c.billed_as for c in a.cpt),
        gaps=tuple(g.label for g in a.gaps),
        suggestions=tuple(suggestions),
        summary=a.em.reason,
    )


def predict(text: str, encounter: dict) -> Prediction:
    """The suite's Predictor: the gold file's encounter is the caller's context."""
    from emcoder.analyzer import analyze

    return to_prediction(analyze(text, encounter))
