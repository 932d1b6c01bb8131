"""The committed MTSamples labels are codes only: valid, and carrying no text of the notes
(mtsamples.com terms forbid committing the notes). The text check runs where ../shared is present."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import simple_icd_10_cm as icd

ROOT = Path(__file__).resolve().parents[2]
LABELS = sorted((ROOT / "corpora" / "mtsamples_dev").glob("*.label.json"))
CSV = ROOT.parent / "shared" / "data" / "mtsamples" / "mtsamples_unique_notes.csv"
SETTINGS = {"office", "telehealth", "ed", "hospital_initial", "hospital_subsequent", "hospital_discharge",
            "consult_office", "consult_inpatient", "nursing_initial", "nursing_subsequent", "home"}


@pytest.mark.parametrize("path", LABELS, ids=[p.stem for p in LABELS])
def test_label_is_codes_only_and_valid(path):
    label = json.loads(path.read_text(encoding="utf-8"))
    assert label["schema"] == "emcoder.mtsamples-label/1"
    assert path.name == f"{label['note_id']}.label.json"
    assert "elements" not in label, "quotes would copy note text"
    assert label["encounter"]["setting"] in SETTINGS
    for code in label["icd10cm"]:
        assert icd.is_valid_item(code) and icd.is_leaf(code), code


@pytest.mark.skipif(not CSV.is_file(), reason="../shared/data/mtsamples is not present")
def test_rationales_copy_no_run_of_note_text():
    import csv

    csv.field_size_limit(10_000_000)
    with CSV.open(encoding="utf-8", newline="") as fh:
        notes = {row["note_id"]: row["transcription"] for row in csv.DictReader(fh)}
    words = re.compile(r"[a-z0-9]+")
    for path in LABELS:
        label = json.loads(path.read_text(encoding="utf-8"))
        note = " ".join(words.findall(notes[label["note_id"]].lower()))
        rationale = words.findall(label.get("rationale", "").lower())
        runs = {" ".join(rationale[i:i + 8]) for i in range(len(rationale) - 7)}
        copied = [r for r in runs if r in note]
        assert not copied, f"{path.name}: rationale repeats note text"
