"""Every cell of the AMA MDM table, and the 2-of-3 rule over all 64 element combinations."""

from __future__ import annotations

import itertools

import pytest

from emcoder.results import Evidence, MDMItem
from emcoder.scoring.mdm import score_data, score_mdm, score_problems, score_risk

EV = (Evidence(start=0, end=1, text="x"),)


def items(element: str, *labels: str) -> list[MDMItem]:
    return [MDMItem(id=f"{element[0].upper()}{i}", element=element, label=label, description=label, evidence=EV,
                    rule_id="test") for i, label in enumerate(labels)]


@pytest.mark.parametrize("labels,level", [
    ((), "minimal"),
    (("minor",), "minimal"),
    (("minor", "minor"), "low"),
    (("chronic_stable",), "low"),
    (("acute_uncomplicated",), "low"),
    (("stable_acute",), "low"),
    (("acute_uncomplicated_inpatient",), "low"),
    (("chronic_exacerbation",), "moderate"),
    (("chronic_stable", "chronic_stable"), "moderate"),
    (("undiagnosed_uncertain",), "moderate"),
    (("acute_systemic",), "moderate"),
    (("acute_complicated_injury",), "moderate"),
    (("chronic_severe_exacerbation",), "high"),
    (("threat_to_life",), "high"),
    (("acute_uncomplicated", "acute_uncomplicated"), "low"),
    (("minor", "chronic_stable"), "low"),
    (("chronic_stable", "chronic_exacerbation"), "moderate"),
    (("minor", "threat_to_life"), "high"),
])
def test_problems_level(rules, labels, level):
    assert score_problems(items("problem", *labels), rules).level == level


def test_uncounted_problem_is_ignored(rules):
    item = items("problem", "chronic_exacerbation")[0].model_copy(update={"counted": False})
    assert score_problems([item], rules).level == "minimal"


@pytest.mark.parametrize("labels,level", [
    ((), "minimal"),
    (("test_ordered",), "minimal"),
    (("test_ordered", "test_result_reviewed"), "limited"),
    (("external_notes", "test_ordered"), "limited"),
    (("independent_historian",), "limited"),
    (("test_ordered", "test_ordered", "test_result_reviewed"), "moderate"),
    (("independent_historian", "test_ordered", "external_notes"), "moderate"),
    (("independent_historian", "test_ordered"), "limited"),
    (("independent_interpretation",), "moderate"),
    (("discussion_external",), "moderate"),
    (("independent_interpretation", "discussion_external"), "extensive"),
    (("test_ordered", "test_ordered", "test_ordered", "independent_interpretation"), "extensive"),
    (("test_ordered", "external_notes", "independent_historian", "discussion_external"), "extensive"),
    (("test_ordered", "test_ordered", "independent_interpretation"), "moderate"),
    (("external_notes", "external_notes", "test_result_reviewed", "test_ordered"), "moderate"),
])
def test_data_level(rules, labels, level):
    assert score_data(items("data", *labels), rules).level == level


@pytest.mark.parametrize("label,level", [
    ("minimal", "minimal"), ("low", "low"),
    ("rx_management", "moderate"), ("minor_surgery_with_risk_factors", "moderate"),
    ("elective_major_surgery_no_risk_factors", "moderate"), ("sdoh_limits_care", "moderate"),
    ("intensive_toxicity_monitoring", "high"), ("elective_major_surgery_with_risk_factors", "high"),
    ("emergency_major_surgery", "high"), ("hospitalization_decision", "high"),
    ("dnr_or_deescalation", "high"), ("parenteral_controlled_substance", "high"),
])
def test_risk_level(rules, label, level):
    assert score_risk(items("risk", label), rules).level == level
    assert score_risk(items("risk", "minimal", label), rules).level == level


PROBLEMS = {0: (), 1: ("chronic_stable",), 2: ("chronic_exacerbation",), 3: ("threat_to_life",)}
DATA = {0: (), 1: ("independent_historian",), 2: ("discussion_external",),
        3: ("discussion_external", "independent_interpretation")}
RISK = {0: (), 1: ("low",), 2: ("rx_management",), 3: ("hospitalization_decision",)}
LEVELS = ["straightforward", "low", "moderate", "high"]


@pytest.mark.parametrize("p,d,r", list(itertools.product(range(4), repeat=3)))
def test_two_of_three(rules, p, d, r):
    all_items = items("problem", *PROBLEMS[p]) + items("data", *DATA[d]) + items("risk", *RISK[r])
    result = score_mdm(all_items, rules)
    assert (result.problems.rank, result.data.rank, result.risk.rank) == (p, d, r)
    expected = max(level for level in range(4) if sum(x >= level for x in (p, d, r)) >= 2)
    assert result.level == LEVELS[expected]
