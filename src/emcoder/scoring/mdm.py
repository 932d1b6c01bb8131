"""Score the three MDM elements and the 2-of-3 MDM level from counted items, by the rule table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from emcoder.results import ElementScore, MDMItem, MDMResult
from emcoder.rules.loader import RuleSet
from emcoder.rules.schema import CountRequirement

PROBLEM_WORDS = {
    "minor": "self-limited or minor problem",
    "acute_uncomplicated": "acute uncomplicated illness or injury",
    "stable_acute": "stable acute illness",
    "acute_uncomplicated_inpatient": "acute uncomplicated illness needing inpatient/observation care",
    "chronic_stable": "stable chronic illness",
    "chronic_exacerbation": "chronic illness with exacerbation, progression or side effects",
    "undiagnosed_uncertain": "undiagnosed new problem with uncertain prognosis",
    "acute_systemic": "acute illness with systemic symptoms",
    "acute_complicated_injury": "acute complicated injury",
    "chronic_severe_exacerbation": "chronic illness with severe exacerbation",
    "threat_to_life": "illness or injury posing a threat to life or bodily function",
}
DATA_WORDS = {
    "external_notes": "external notes from a unique source",
    "test_result_reviewed": "unique test result reviewed",
    "test_ordered": "unique test ordered",
    "independent_historian": "independent historian",
    "independent_interpretation": "independent interpretation of a test",
    "discussion_external": "discussion with an external physician/QHP",
}


def _counted(items: Sequence[MDMItem], element: str) -> list[MDMItem]:
    return [i for i in items if i.element == element and i.counted]


def _meets(req: CountRequirement, labels: Counter[str]) -> int:
    """How many counted items satisfy the requirement (0 when fewer than min_count)."""
    n = sum(labels[label] for label in req.labels)
    return n if n >= req.min_count else 0


def _shortfall(req: CountRequirement, labels: Counter[str]) -> int:
    return max(0, req.min_count - sum(labels[label] for label in req.labels))


def score_problems(items: Sequence[MDMItem], rules: RuleSet) -> ElementScore:
    table = rules.mdm.problems
    counted = _counted(items, "problem")
    labels = Counter(i.label for i in counted)
    rank, rule_id = 0, None
    for idx, level in enumerate(table.levels):
        for req in table.requirements.get(level, ()):
            if _meets(req, labels):
                rank, rule_id = idx, req.id
    if not counted:
        reason = "no problem addressed in the assessment or plan was found"
    else:
        reason = "; ".join(f"{n} x {PROBLEM_WORDS[label]}" for label, n in sorted(labels.items()))
    next_level, hint = None, None
    if rank < len(table.levels) - 1:
        next_level = table.levels[rank + 1]
        options = []
        for req in table.requirements.get(next_level, ()):
            short = _shortfall(req, labels)
            words = " or ".join(PROBLEM_WORDS[label] for label in req.labels)
            options.append(f"{short} more {words}" if req.min_count > 1 else f"one {words}")
        hint = "; or ".join(options[:3])
    return ElementScore(
        element="problems", level=table.levels[rank], rank=rank, items=tuple(i.id for i in counted),
        rule_id=rule_id, reason=reason, next_level=next_level, to_next_level=hint,
    )


def score_data(items: Sequence[MDMItem], rules: RuleSet) -> ElementScore:
    table = rules.mdm.data
    counted = _counted(items, "data")
    labels = Counter(i.label for i in counted)
    rank, rule_id = 0, None
    for idx, level in enumerate(table.levels):
        req = table.requirements.get(level)
        if req is None:
            continue
        met = [cat for cat in req.categories if _meets(cat, labels)]
        if len(met) >= req.categories_needed:
            rank, rule_id = idx, "+".join(cat.id for cat in met[: req.categories_needed])
    reason = ("; ".join(f"{n} x {DATA_WORDS[label]}" for label, n in sorted(labels.items()))
              or "no data reviewed, ordered or analyzed was found")
    next_level, hint = None, None
    if rank < len(table.levels) - 1:
        next_level = table.levels[rank + 1]
        req = table.requirements[next_level]
        cat1 = req.categories[0]
        short = _shortfall(cat1, labels)
        if next_level == "limited":
            hint = (f"{short} more unique test, test result or external source, "
                    "or an assessment requiring an independent historian")
        elif next_level == "moderate":
            hint = (f"{short} more unique test, external source or independent historian; or an "
                    "independent interpretation of a test; or a discussion with an external physician")
        else:
            hint = "two of: 3 category-1 items, an independent interpretation, an external discussion"
    return ElementScore(
        element="data", level=table.levels[rank], rank=rank, items=tuple(i.id for i in counted),
        rule_id=rule_id, reason=reason, next_level=next_level, to_next_level=hint,
    )


def score_risk(items: Sequence[MDMItem], rules: RuleSet) -> ElementScore:
    table = rules.mdm.risk
    counted = _counted(items, "risk")
    def level_of(item: MDMItem) -> int:
        return table.levels.index(table.label_levels[item.label])

    best = max(counted, key=level_of, default=None)
    rank = level_of(best) if best else 0
    rule_id = best.rule_id if best else None
    reason = (f"{best.description}" if best else "no management decision with more than minimal risk found")
    next_level, hint = None, None
    if rank < len(table.levels) - 1:
        next_level = table.levels[rank + 1]
        hint = {
            "low": "a management decision with low risk (e.g. OTC drugs, therapy orders)",
            "moderate": ("prescription drug management (a named drug with a decision), a decision about "
                         "minor surgery with risk factors or elective major surgery, or care limited by SDOH"),
            "high": ("drug therapy needing intensive toxicity monitoring, a decision about hospitalization, "
                     "major surgery with risk factors or emergency surgery, or DNR/de-escalation"),
        }[next_level]
    return ElementScore(
        element="risk", level=table.levels[rank], rank=rank, items=tuple(i.id for i in counted),
        rule_id=rule_id, reason=reason, next_level=next_level, to_next_level=hint,
    )


def score_mdm(items: Sequence[MDMItem], rules: RuleSet) -> MDMResult:
    problems = score_problems(items, rules)
    data = score_data(items, rules)
    risk = score_risk(items, rules)
    # 2 of 3: the level met by at least two elements is the second-highest element rank.
    rank = sorted((problems.rank, data.rank, risk.rank), reverse=True)[1]
    return MDMResult(
        problems=problems, data=data, risk=risk, level=rules.mdm.overall.levels[rank],  # type: ignore[arg-type]
        rank=rank, rule_id=rules.mdm.overall.rule_id,
    )
