"""The auditor's report: files written, disagreements shown with their evidence, no surprises."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest

from emcoder.evaluation.prediction import Prediction, Span, Suggestion
from emcoder.evaluation.report import confusion_panels, write_report
from emcoder.evaluation.runner import format_summary, run_eval, to_json

FIX = Path(__file__).parent / "fixtures"
BASIC = FIX / "basic"


def fake_predictor(name: str):
    """Looks each note up by id (found from its text) in predictions_basic.json."""
    spec = json.loads((FIX / "predictions_basic.json").read_text(encoding="utf-8"))[name]
    ids = {p.read_bytes().decode("utf-8"): p.name[:-4] for p in BASIC.glob("*.txt")}

    def spans(text: str, s: dict) -> tuple[Span, ...]:
        if "spans" in s:
            return tuple(Span(a, b) for a, b in s["spans"])
        at = -1
        for _ in range(s["occurrence"] + 1):
            at = text.index(s["quote"], at + 1)
        return (Span(at, at + len(s["quote"])),)

    def predict(text: str, encounter: dict) -> Prediction:
        p = spec[ids[text]]
        return Prediction(
            p["em_code"],
            "mdm",
            p["mdm"],
            None,
            tuple(p["icd10cm"]),
            tuple(p["cpt"]),
            tuple(p["gaps"]),
            tuple(
                Suggestion(s["kind"], s["label"], spans(text, s), s["element"], f"rule {s['label']}")
                for s in p["suggestions"]
            ),
            p["summary"],
        )

    return predict


NAMES = ["perfect", "mixed", "all_wrong"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """name -> (run, report folder, index.html text), one report per fake predictor."""
    out = {}
    for name in NAMES:
        run = run_eval(BASIC, fake_predictor(name), progress=False)
        folder = tmp_path_factory.mktemp(name) / "report"
        out[name] = run, folder, write_report(run, folder).read_text(encoding="utf-8")
    return out


@pytest.mark.parametrize("name", NAMES)
def test_files_are_written(reports, name):
    run, out, _ = reports[name]
    assert sorted(p.name for p in out.iterdir()) == ["confusion_matrix.png", "index.html", "metrics.json"]
    assert (out / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    expected = to_json(run, per_note=True)
    assert data == json.loads(json.dumps(expected))
    assert [n["id"] for n in data["per_note"]] == ["ed-04", "office-est-01", "office-new-02", "preventive-03"]


@pytest.mark.parametrize(
    ("name", "shown", "absent"),
    [
        ("perfect", ["Disagreements (0 notes)"], ["<section>"]),
        (
            "mixed",
            [
                "Disagreements (4 notes)",
                "id='office-est-01'",
                "id='ed-04'",
                "id='preventive-03'",
                "id='office-new-02'",
                "<td>ICD-10-CM</td><td>J06.9</td><td>J06.9, R07.9</td>",
                # gold vs predicted, with the system's reason and the evidence it quoted
                "<td>E/M code</td><td>99214</td><td>99213 (under)</td>",
                "low MDM: risk judged low",
                "<td>E/M code</td><td>99284</td><td>99285 (over)</td>",
                "high problems: possible ACS",
                "<td>MDM problems</td><td>moderate</td><td>high</td>",
                "<td>ICD-10-CM</td><td>E11.65, Z79.84</td><td>e11.65</td>",
                "<q>A1c is 8.1, not at goal</q>",
                "rule chronic_exacerbation",
                "mdm_item/data <b>undiagnosed_uncertain</b>",
                "<i>no evidence cited</i>",
                # the gold element no evidence overlapped, quoted from the note
                "elements[2] risk/rx_management",
                "<q>Increase metformin to 1000 mg twice daily</q>",
                "most often missed (gold, not predicted): 99214 (1)",
            ],
            ["<td>MDM data</td>", "<td>CPT</td><td>99203</td>"],
        ),
        (
            "all_wrong",
            [
                "Disagreements (4 notes)",
                "outside the note (134 characters)",
                "<td>E/M code</td><td>None</td><td>99215 (over)</td>",
                "<td>E/M code</td><td>99284</td><td>99214 (family_mismatch)</td>",
            ],
            [],
        ),
    ],
)
def test_index_html_shows_every_disagreement(reports, name, shown, absent):
    html = reports[name][2]
    for s in shown:
        assert s in html, s
    for s in absent:
        assert s not in html, s
    for label in (
        "E/M exact",
        "E/M kappa (quadratic)",
        "ICD-10-CM precision / recall / F1",
        "evidence recall",
    ):
        assert escape(label) in html
    assert "<img src='confusion_matrix.png'" in html


@pytest.mark.parametrize("name", NAMES)
def test_metrics_json_has_no_note_text(reports, name):
    text = (reports[name][1] / "metrics.json").read_text(encoding="utf-8")
    assert "Zebulon" not in text and "not at goal" not in text


@pytest.mark.parametrize(
    ("name", "panels"),
    [
        (
            "mixed",
            {
                "office_new": {("99203", "99203"): 1},
                "office_established": {("99214", "99213"): 1},
                "ed": {("99284", "99285"): 1},
            },
        ),
        (
            "all_wrong",
            {
                "office_new": {("99203", "none"): 1},
                "office_established": {("99214", "99212"): 1, ("none", "99215"): 1},
                "ed": {("99284", "other family"): 1},
            },
        ),
    ],
)
def test_confusion_panels(name, panels):
    run = run_eval(BASIC, fake_predictor(name), progress=False)
    got = confusion_panels(run.results)
    assert {fam: dict(counts) for fam, (_, _, counts) in got.items()} == panels
    if name == "all_wrong":
        rows, cols, _ = got["office_established"]
        assert rows == ["none", "99211", "99212", "99213", "99214", "99215"]
        assert cols == ["99211", "99212", "99213", "99214", "99215"]
        assert got["ed"][1][-1] == "other family"


def test_report_of_an_empty_corpus(tmp_path):
    run = run_eval(tmp_path, fake_predictor("perfect"), progress=False)
    index = write_report(run, tmp_path / "out")
    assert "0 notes evaluated" in index.read_text(encoding="utf-8")
    assert "notes evaluated" in format_summary(run)
