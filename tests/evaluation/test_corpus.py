"""Reading gold corpora: broken files are reported by name and reason, never with note text."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from emcoder.errors import InputError
from emcoder.evaluation.corpus import load_corpus, validate_gold
from emcoder.evaluation.prediction import Prediction, Span, Suggestion, empty_prediction
from emcoder.evaluation.runner import format_summary, run_eval, to_json

FIX = Path(__file__).parent / "fixtures"
BROKEN, BASIC = FIX / "broken", FIX / "basic"


def cite_everything(text: str, encounter: dict) -> Prediction:
    """Cites the whole note for every element kind: recalls every gold element that is evaluable."""
    sugg = tuple(
        Suggestion("mdm_item", "x", (Span(0, len(text)),), k, "all") for k in ("problem", "data", "risk")
    )
    return Prediction(None, None, {}, None, (), (), (), sugg, "cites everything")


@pytest.fixture(scope="module")
def broken_run():
    return run_eval(BROKEN, cite_everything, progress=False)


def test_broken_corpus_runs_the_good_notes(broken_run):
    assert [r.note.id for r in broken_run.results] == ["good-01", "id-mismatch", "quote-missing"]
    assert broken_run.metrics["notes"] == 3
    assert broken_run.files_skipped == 4
    # good-01 has 1 element, quote-missing 2 evaluable of 3
    # (the missing quote is skipped, not counted as missed)
    assert broken_run.metrics["evidence_recall"] == 1.0
    quote_missing = broken_run.results[2].note
    assert [el.index for el in quote_missing.elements] == [1, 2]
    text = quote_missing.text
    start = text.index("Start benzonatate")
    assert quote_missing.elements[0].occurrences == (
        (start, start + 42),
    )  # bad offsets: the quote's occurrence


@pytest.mark.parametrize(
    ("file", "fatal", "parts"),
    [
        ("bad-json.gold.json", True, ["invalid JSON", "line 3 column 1"]),
        (
            "bad-schema.gold.json",
            True,
            [
                "schema:",
                "$.elements[0] must be of type object (found string)",
                "$.em.mdm.level must be one of",
                "$.encounter.setting must be one of",
                "$.icd10cm[0] does not match the pattern",
            ],
        ),
        ("latin1.txt", True, ["not valid UTF-8", "offset 27"]),
        ("no-text.txt", True, ["missing", "no-text.gold.json has no no-text.txt"]),
        ("id-mismatch.gold.json", False, ["id 'knee-sprain-7' differs from the file stem 'id-mismatch'"]),
        (
            "quote-missing.gold.json",
            False,
            ["elements[0]: quote (30 characters) not found in quote-missing.txt"],
        ),
        (
            "quote-missing.gold.json",
            False,
            ["elements[1]: start/end 0-5 do not delimit the quote (42 characters)"],
        ),
    ],
)
def test_each_problem_is_named_with_its_file_and_reason(broken_run, file, fatal, parts):
    issues = broken_run.errors if fatal else broken_run.warnings
    matching = [i for i in issues if i.file == file and all(p in i.reason for p in parts)]
    assert len(matching) == 1, [(i.file, i.reason) for i in issues]


def test_errors_and_warnings_are_exactly_these(broken_run):
    assert [i.file for i in broken_run.errors] == [
        "bad-json.gold.json",
        "bad-schema.gold.json",
        "latin1.txt",
        "no-text.txt",
    ]
    assert [i.file for i in broken_run.warnings] == [
        "id-mismatch.gold.json",
        "quote-missing.gold.json",
        "quote-missing.gold.json",
    ]
    out = to_json(broken_run)
    assert out["files_skipped"] == 4
    assert [e["file"] for e in out["errors"]] == [i.file for i in broken_run.errors]
    summary = format_summary(broken_run)
    assert "bad-json.gold.json: invalid JSON" in summary and "3 notes evaluated, 4 files skipped" in summary


def _note_fragments() -> set[str]:
    """Every line of every fixture note and every gold quote (all of it is 'PHI' for the tests)."""
    frags = {"Zebulon", "Quixote", "chest pain", "benzonatate", "lisinopril", "caf"}
    for folder in (BROKEN, BASIC):
        for p in folder.glob("*.txt"):
            frags |= {
                line.strip()
                for line in p.read_bytes().decode("utf-8", "replace").splitlines()
                if len(line.strip()) >= 8
            }
    return frags


def test_no_note_text_in_any_message_or_json(broken_run):
    def leaky(text: str, encounter: dict) -> Prediction:
        raise ValueError(f"cannot parse {text!r}")

    runs = [broken_run, run_eval(BROKEN, leaky, progress=False)]
    outputs = [json.dumps(to_json(r, per_note=True)) for r in runs]
    outputs += [i.reason for r in runs for i in r.errors + r.warnings]
    outputs += [format_summary(r) for r in runs]
    for frag in _note_fragments():
        for out in outputs:
            assert frag not in out, frag


def test_predictor_failures_are_reported_and_scored_as_empty():
    def failing(text: str, encounter: dict) -> Prediction:
        if "Zebulon Quixote, follow-up" in text:
            raise ValueError(f"boom {text}")
        if "sore throat" in text:
            raise InputError("note", "is empty or has no words")
        if "preventive" in text:
            return {"em_code": None}  # type: ignore[return-value]
        return empty_prediction()

    run = run_eval(BASIC, failing, progress=False)
    reasons = {i.file: i.reason for i in run.errors}
    assert reasons == {
        "office-est-01.txt": "predictor failed (ValueError); scored as an empty prediction",
        "office-new-02.txt": "predictor failed (InputError: note: is empty or has no words); "
        "scored as an empty prediction",
        "preventive-03.txt": "predictor returned dict, not a Prediction; scored as an empty prediction",
    }
    assert run.metrics["notes"] == 4 and run.files_skipped == 0
    assert run.metrics["em_exact"] == 0.25  # only preventive-03 (gold null, empty prediction null)


def _write_note(folder: Path, stem: str, raw_text: bytes, elements: list[dict]) -> None:
    gold = json.loads((BASIC / "office-new-02.gold.json").read_text(encoding="utf-8"))
    gold.update(id=stem, elements=elements)
    (folder / f"{stem}.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    (folder / f"{stem}.txt").write_bytes(raw_text)


def test_text_keeps_line_endings_and_drops_a_bom(tmp_path):
    text = "Zebulon Quixote\r\nPlan: start lisinopril 10 mg.\r\n"
    start = text.index("start lisinopril")
    _write_note(
        tmp_path,
        "crlf",
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        [
            {
                "element": "risk",
                "label": "rx_management",
                "quote": "start lisinopril 10 mg",
                "start": start,
                "end": start + 22,
            }
        ],
    )
    seen = []
    run = run_eval(tmp_path, lambda t, e: seen.append(t) or empty_prediction(), progress=False)
    assert seen == [text, text] and run.warnings == []  # warm-up call, then the timed call
    assert run.results[0].note.elements[0].occurrences == ((start, start + 22),)


@pytest.mark.parametrize(
    ("offsets", "cite", "recall"),
    [
        (True, 0, 1.0),
        (True, 1, 0.0),  # gold offsets given: only that occurrence counts
        (False, 0, 1.0),
        (False, 1, 1.0),  # no offsets: every occurrence counts
    ],
)
def test_gold_offsets_pick_the_occurrence(tmp_path, offsets, cite, recall):
    text = "sore throat today. Assessment: sore throat.\n"
    second = text.index("sore throat", 1)
    el = {"element": "problem", "label": "acute_uncomplicated", "quote": "sore throat"}
    if offsets:
        el.update(start=0, end=11)
    _write_note(tmp_path, "twice", text.encode(), [el])
    at = (0, second)[cite]
    sugg = (Suggestion("mdm_item", "acute_uncomplicated", (Span(at, at + 4),), "problem", "x"),)
    run = run_eval(
        tmp_path, lambda t, e: Prediction(None, None, {}, None, (), (), (), sugg, ""), progress=False
    )
    assert run.metrics["evidence_recall"] == recall


def _valid_gold() -> dict:
    return json.loads((BASIC / "office-est-01.gold.json").read_text(encoding="utf-8"))


def _mutate(path: list, value) -> dict:
    gold = copy.deepcopy(_valid_gold())
    target = gold
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return gold


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["em"], KeyError, "$ missing required key 'em'"),
        (["em", "code"], 99214, "$.em.code must be of type ['string', 'null'] (found integer)"),
        (["cpt", 0], "9921", "$.cpt[0] does not match the pattern ^[0-9A-Z]{5}(-[0-9A-Z]{2})*$"),
        (["schema"], "emcoder.gold/2", '$.schema must be "emcoder.gold/1"'),
        (["elements", 0, "quote"], "", "$.elements[0].quote must be at least 1 character(s) long"),
        (["elements", 2, "start"], -1, "$.elements[2].start must be >= 0"),
        (
            ["encounter", "patient"],
            "returning",
            '$.encounter.patient must be one of "new", "established", null',
        ),
    ],
)
def test_schema_messages_give_the_json_path_and_rule(path, value, message):
    assert validate_gold(_valid_gold()) == []
    assert validate_gold(_mutate(path, value)) == [message]


def test_a_txt_without_gold_and_other_files_are_ignored():
    notes, issues = load_corpus(BASIC)
    assert [n.id for n in notes] == ["ed-04", "office-est-01", "office-new-02", "preventive-03"]
    assert issues == []


def test_not_a_folder_is_an_issue_not_a_traceback(tmp_path):
    notes, issues = load_corpus(tmp_path / "nope")
    assert notes == [] and [i.reason for i in issues] == ["not a folder"]


GOOD = Prediction("99213", "mdm", {"level": "low"}, None, ("I10",), ("99213",), (), (), "ok")
SPAN_SUGG = Suggestion("cpt", "99213", (Span(0, 4),), None, "x")


@pytest.mark.parametrize(
    ("returned", "reason"),
    [
        (None, "predictor returned NoneType, not a Prediction"),
        (
            GOOD.__class__(**{**GOOD.__dict__, "em_code": 99213}),
            "em_code, basis or time_minutes has the wrong",
        ),
        (GOOD.__class__(**{**GOOD.__dict__, "mdm": {"level": 2}}), "mdm is not a dict of strings"),
        (GOOD.__class__(**{**GOOD.__dict__, "icd10cm": "I10"}), "icd10cm is not a sequence of strings"),
        (GOOD.__class__(**{**GOOD.__dict__, "suggestions": (SPAN_SUGG, "x")}), "suggestions are not"),
        (
            GOOD.__class__(
                **{**GOOD.__dict__, "suggestions": (Suggestion("cpt", "1", (Span(0.0, 4),), None, ""),)}
            ),
            "suggestions are not Suggestions with integer Spans",
        ),
    ],
)
def test_an_invalid_prediction_is_reported_not_raised(returned, reason):
    run = run_eval(BASIC, lambda text, encounter: returned, progress=False)
    assert len(run.errors) == 4 and all(reason in e.reason for e in run.errors), run.errors
    assert run.metrics["notes"] == 4 and run.metrics["em_exact"] == 0.25


def test_a_valid_prediction_is_not_reported():
    good = GOOD.__class__(**{**GOOD.__dict__, "suggestions": (SPAN_SUGG,)})
    assert run_eval(BASIC, lambda text, encounter: good, progress=False).errors == []
