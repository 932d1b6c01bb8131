"""Metric definitions, checked against numbers computed by hand on tiny corpora (fixtures/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from emcoder.evaluation import runner
from emcoder.evaluation.families import compare_em, em_level
from emcoder.evaluation.metrics import kappa_quadratic, nearest_rank, prf
from emcoder.evaluation.prediction import Prediction, Span, Suggestion
from emcoder.evaluation.runner import run_eval, to_json

FIX = Path(__file__).parent / "fixtures"
BASIC = FIX / "basic"


def fake_predictor(name: str, folder: Path = BASIC):
    """A predictor that looks the note up by id (found from its text) in predictions_basic.json."""
    spec = json.loads((FIX / "predictions_basic.json").read_text(encoding="utf-8"))[name]
    ids = {p.read_bytes().decode("utf-8"): p.name[:-4] for p in folder.glob("*.txt")}

    def span(text: str, s: dict) -> tuple[Span, ...]:
        if "spans" in s:
            return tuple(Span(a, b) for a, b in s["spans"])
        at = -1
        for _ in range(s["occurrence"] + 1):
            at = text.index(s["quote"], at + 1)
        return (Span(at, at + len(s["quote"])),)

    def predict(text: str, encounter: dict) -> Prediction:
        p = spec[ids[text]]
        return Prediction(
            em_code=p["em_code"],
            basis="mdm",
            mdm=p["mdm"],
            time_minutes=None,
            icd10cm=tuple(p["icd10cm"]),
            cpt=tuple(p["cpt"]),
            gaps=tuple(p["gaps"]),
            suggestions=tuple(
                Suggestion(s["kind"], s["label"], span(text, s), s["element"], "fake")
                for s in p["suggestions"]
            ),
            summary=p["summary"],
        )

    return predict


def flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        out.update(flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k: v})
    return out


def assert_metrics(actual: dict, expected: dict) -> None:
    a, e = flat(actual), flat(expected)
    for key, want in e.items():
        got = a[key]
        if want is None:
            assert got is None, key
        else:
            assert got == pytest.approx(want, abs=1e-12), key


ALL_NULL = {"precision": None, "recall": None, "f1": None}
PERFECT = {
    "notes": 4,
    "em_exact": 1.0,
    "em_within_one": 1.0,
    "em_over": 0.0,
    "em_under": 0.0,
    "em_family_mismatch": 0.0,
    "em_kappa_quadratic": 1.0,
    "mdm_level_exact": 1.0,
    "element_exact": {"problems": 1.0, "data": 1.0, "risk": 1.0},
    "icd10cm": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "first_listed_exact": 1.0, "category_f1": 1.0},
    "cpt": {"precision": 1.0, "recall": 1.0, "f1": 1.0},
    "gaps": {"precision": 1.0, "recall": 1.0, "f1": 1.0},
    "evidence_coverage": 1.0,
    "evidence_recall": 1.0,
}
# gold ranks [4, 2, 0, 4], predicted [2, 0, 5, 4]: categories {0,2,4,5}; sum w*O = 11, sum w*r*c = 32
ALL_WRONG = {
    "notes": 4,
    "em_exact": 0.0,
    "em_within_one": 0.0,
    "em_over": 0.25,
    "em_under": 0.5,
    "em_family_mismatch": 0.25,
    "em_kappa_quadratic": 1 - 4 * 11 / 32,
    "mdm_level_exact": 0.0,
    "element_exact": {"problems": 0.0, "data": 0.0, "risk": 0.0},
    # categories: only R07 agrees (1 of 3 predicted, 1 of 5 gold) -> F1 = 0.25
    "icd10cm": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "first_listed_exact": 0.0, "category_f1": 0.25},
    "cpt": {"precision": 0.0, "recall": 0.0, "f1": 0.0},
    "gaps": {"precision": 0.0, "recall": 0.0, "f1": 0.0},
    "evidence_coverage": 3 / 7,
    "evidence_recall": 0.0,
}
# gold ranks [4, 2, 0, 4], predicted [3, 2, 0, 5]: categories {0,2,3,4,5}; sum w*O = 2, sum w*r*c = 62
MIXED = {
    "notes": 4,
    "em_exact": 0.5,
    "em_within_one": 1.0,
    "em_over": 0.25,
    "em_under": 0.25,
    "em_family_mismatch": 0.0,
    "em_kappa_quadratic": 27 / 31,
    "mdm_level_exact": 0.75,
    "element_exact": {"problems": 0.75, "data": 1.0, "risk": 0.75},
    "icd10cm": {
        "precision": 0.75,
        "recall": 0.6,
        "f1": 2 / 3,
        "first_listed_exact": 0.75,
        "category_f1": 2 / 3,
    },
    "cpt": {"precision": 0.5, "recall": 0.5, "f1": 0.5},
    "gaps": {"precision": 0.5, "recall": 1.0, "f1": 2 / 3},
    "evidence_coverage": 5 / 6,
    "evidence_recall": 4 / 6,
}
# Only the preventive note (gold E/M null, no "gaps", no "elements").
NULL_GOLD_PERFECT = {
    "notes": 1,
    "em_exact": 1.0,
    "em_within_one": 1.0,
    "em_over": 0.0,
    "em_under": 0.0,
    "em_kappa_quadratic": 1.0,
    "icd10cm": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "first_listed_exact": 1.0, "category_f1": 1.0},
    "gaps": ALL_NULL,
    "evidence_coverage": 1.0,
    "evidence_recall": None,
}
NULL_GOLD_WRONG = {
    "notes": 1,
    "em_exact": 0.0,
    "em_within_one": 0.0,
    "em_over": 1.0,
    "em_under": 0.0,
    "em_family_mismatch": 0.0,
    "em_kappa_quadratic": 0.0,
    "gaps": ALL_NULL,
    "evidence_coverage": 0.5,
    "evidence_recall": None,
}


def preventive_only(tmp_path: Path) -> Path:
    for name in ("preventive-03.txt", "preventive-03.gold.json"):
        shutil.copy(BASIC / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    ("predictor", "corpus", "expected"),
    [
        ("perfect", None, PERFECT),
        ("all_wrong", None, ALL_WRONG),
        ("mixed", None, MIXED),
        ("perfect", "preventive", NULL_GOLD_PERFECT),
        ("all_wrong", "preventive", NULL_GOLD_WRONG),
    ],
)
def test_corpus_metrics(predictor, corpus, expected, tmp_path):
    folder = preventive_only(tmp_path) if corpus else BASIC
    run = run_eval(folder, fake_predictor(predictor, folder), progress=False)
    assert run.errors == [] and run.warnings == []
    assert_metrics(to_json(run), expected)


SPEC_KEYS = {
    "notes",
    "em_exact",
    "em_within_one",
    "em_over",
    "em_under",
    "em_kappa_quadratic",
    "mdm_level_exact",
    "element_exact",
    "icd10cm",
    "cpt",
    "gaps",
    "evidence_coverage",
    "evidence_recall",
    "latency_ms",
}


def test_json_has_every_spec_key_and_nulls_on_an_empty_corpus(tmp_path):
    out = to_json(run_eval(tmp_path, fake_predictor("perfect"), progress=False))
    assert SPEC_KEYS <= set(out)
    assert set(out["element_exact"]) == {"problems", "data", "risk"}
    assert set(out["icd10cm"]) == {"precision", "recall", "f1", "first_listed_exact", "category_f1"}
    assert set(out["cpt"]) == set(out["gaps"]) == {"precision", "recall", "f1"}
    assert set(out["latency_ms"]) == {"p50", "p95"}
    assert out["notes"] == 0
    assert all(
        v is None
        for k, v in flat(out).items()
        if k not in ("notes", "files_skipped", "version", "errors", "warnings")
    )
    assert "per_note" not in out and out["errors"] == []
    json.dumps(out)  # serializable


def test_latency_is_nearest_rank_over_predictor_calls(monkeypatch):
    # a 5 s warm-up call (model loading), then 10, 20, 30, 40 ms in file order
    ticks = iter([0.0, 5.0, 10.0, 10.010, 11.0, 11.020, 12.0, 12.030, 13.0, 13.040])
    monkeypatch.setattr(runner, "perf_counter", lambda: next(ticks))
    run = run_eval(BASIC, fake_predictor("perfect"), progress=False)
    assert [r.latency_ms for r in run.results] == pytest.approx([10, 20, 30, 40])
    out = to_json(run)
    assert out["latency_ms"] == pytest.approx({"p50": 20.0, "p95": 40.0})
    assert out["warmup_ms"] == pytest.approx(5000.0)


def test_results_are_deterministic_and_in_file_order():
    runs = [
        to_json(run_eval(BASIC, fake_predictor("mixed"), progress=False), per_note=True) for _ in range(2)
    ]
    for r in runs:
        del r["latency_ms"], r["warmup_ms"]
        for n in r["per_note"]:
            del n["latency_ms"]
    assert runs[0] == runs[1]
    assert [n["id"] for n in runs[0]["per_note"]] == [
        "ed-04",
        "office-est-01",
        "office-new-02",
        "preventive-03",
    ]


@pytest.mark.parametrize(
    ("code", "level"),
    [
        (None, (None, 0)),
        ("99211", ("office_established", 1)),
        ("99215", ("office_established", 5)),
        ("99202", ("office_new", 1)),
        ("99205", ("office_new", 4)),
        ("99239", ("hospital_discharge", 2)),
        ("99291", ("critical_care", 1)),
        ("99344", ("home_new", 3)),
        ("99350", ("home_established", 4)),
        ("99310", ("nursing_subsequent", 4)),
        ("99255", ("consult_inpatient", 4)),
        ("99236", ("observation_same_day", 3)),
        ("99499", ("unlisted:99499", 1)),
    ],
)
def test_em_level(code, level):
    assert em_level(code) == level


@pytest.mark.parametrize(
    ("gold", "pred", "exact", "within_one", "direction"),
    [
        ("99213", "99213", True, True, "same"),
        ("99213", "99214", False, True, "over"),
        ("99213", "99215", False, False, "over"),
        ("99215", "99213", False, False, "under"),
        (None, None, True, True, "same"),
        (None, "99211", False, True, "over"),
        (None, "99202", False, True, "over"),
        (None, "99212", False, False, "over"),
        ("99202", None, False, True, "under"),
        ("99203", None, False, False, "under"),
        ("99214", "99204", False, False, "family_mismatch"),
        ("99284", "99214", False, False, "family_mismatch"),
        ("99342", "99344", False, True, "over"),  # adjacent levels although 99343 does not exist
        ("99499", "99499", True, True, "same"),
        ("99499", "99214", False, False, "family_mismatch"),
    ],
)
def test_compare_em(gold, pred, exact, within_one, direction):
    c = compare_em(gold, pred)
    assert (c.exact, c.within_one, c.direction) == (exact, within_one, direction)


@pytest.mark.parametrize(
    ("gold", "pred", "kappa"),
    [
        ([], [], None),
        ([3, 3], [3, 3], 1.0),
        ([0, 1, 2], [0, 1, 2], 1.0),
        ([2, 2], [3, 3], 0.0),
        ([1, 2, 3], [3, 2, 1], -1.0),
        ([4, 2, 0, 4], [2, 0, 5, 4], -0.375),
        ([4, 2, 0, 4], [3, 2, 0, 5], 27 / 31),
        # categories are indices into the observed ranks: {0, 4} behaves like {0, 1}
        ([0, 4, 4, 0], [0, 4, 0, 0], 0.5),
    ],
)
def test_kappa_quadratic(gold, pred, kappa):
    got = kappa_quadratic(gold, pred)
    assert got is None if kappa is None else got == pytest.approx(kappa, abs=1e-12)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], (None, None, None)),
        ([({"A"}, set())], (None, 0.0, None)),
        ([(set(), {"A"})], (0.0, None, None)),
        ([({"A"}, {"B"})], (0.0, 0.0, 0.0)),
        ([({"A", "B"}, {"A", "C"})], (0.5, 0.5, 0.5)),
        ([({"A"}, {"A"}), ({"B", "C"}, set()), (set(), {"D"})], (0.5, 1 / 3, 0.4)),
    ],
)
def test_micro_prf(pairs, expected):
    got = prf(pairs)
    assert (got["precision"], got["recall"], got["f1"]) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 50, None),
        ([5.0], 95, 5.0),
        ([4, 1, 3, 2], 50, 2),
        ([4, 1, 3, 2], 95, 4),
        ([3, 1, 2], 50, 2),
        (list(range(1, 21)), 95, 19),
        (list(range(1, 21)), 50, 10),
        (list(range(1, 101)), 95, 95),
    ],
)
def test_nearest_rank(values, p, expected):
    assert nearest_rank(values, p) == expected
