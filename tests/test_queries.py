"""Every query the system drafts over the whole corpus is compliant (no leading queries), and
over/under-coding flags fire on notes documented below or above their stated level."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import emcoder
from emcoder.rules import load_ruleset

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "gold"
CODE_LIKE = re.compile(r"\b(99\d{3}|G\d{4}|[A-TV-Z]\d\d\.\d{1,4})\b")
NOTES = sorted(CORPUS.glob("*.txt"))


def all_queries():
    for path in NOTES:
        text = path.read_text(encoding="utf-8")
        analysis = emcoder.analyze(text, {"setting": "office", "patient": "established"})
        for gap in analysis.gaps:
            yield path.stem, text, gap


def test_no_leading_queries_over_the_corpus():
    rules = load_ruleset().gaps
    checked = 0
    for note_id, text, gap in all_queries():
        q = gap.query
        words = (q.question + " " + " ".join(q.options)).lower()
        assert not any(w in words for w in rules.forbidden_words), (note_id, gap.label)
        assert not CODE_LIKE.search(q.question + " ".join(q.options)), (note_id, gap.label)
        if q.format == "multiple_choice":
            assert rules.other_option in q.options and rules.undetermined_option in q.options
        assert q.format != "yes_no" or gap.label in ("uncertain_diagnosis",)
        assert q.indicators, (note_id, gap.label)
        for ev in q.indicators:
            assert text[ev.start:ev.end] == ev.text
        checked += 1
    assert checked > 0, "the corpus produced no query to check"


def test_gap_labels_are_the_spec_labels():
    spec = {"time_statement_missing", "time_activities_missing", "problem_status_unclear", "diagnosis_specificity",
            "uncertain_diagnosis", "clinical_indicators_without_diagnosis", "problem_not_addressed",
            "data_source_unclear", "independent_historian_unclear", "risk_rationale_missing", "patient_status_unclear"}
    assert {d.label for d in load_ruleset().gaps.detectors} <= spec


UNDER_DOCUMENTED = """ASSESSMENT AND PLAN

Allergic rhinitis.
Mild symptoms. Saline spray as needed.
"""


@pytest.mark.parametrize("selected,kind", [("99215", "over_coding_risk"), ("99214", "over_coding_risk"),
                                           ("99212", "under_coding"), ("99213", None)])
def test_coding_flags(selected, kind):
    analysis = emcoder.analyze(UNDER_DOCUMENTED, {"setting": "office", "patient": "established"},
                               selected_code=selected)
    assert analysis.em.code == "99213"
    assert [f.kind for f in analysis.coding_flags] == ([kind] if kind else [])


def test_uncertain_diagnosis_query_quotes_the_assessment():
    note = "ASSESSMENT AND PLAN\n\nPossible pneumonia.\nChest x-ray ordered. Start amoxicillin 500 mg.\n"
    analysis = emcoder.analyze(note, {"setting": "office", "patient": "established"})
    gap = next(g for g in analysis.gaps if g.label == "uncertain_diagnosis")
    assert gap.query.indicators[0].text == "Possible pneumonia"
    assert gap.query.options[-2:] == ("Other (please specify)", "Clinically undetermined")
