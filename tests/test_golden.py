"""End-to-end golden files: the JSON analysis of a handful of notes is pinned.

Run `pytest tests/test_golden.py --update-golden` after a deliberate change and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import emcoder

HERE = Path(__file__).parent / "golden"
NOTES = sorted((HERE / "notes").glob("*.txt"))


def stable_json(note: Path) -> dict:
    meta = json.loads(note.with_suffix(".encounter.json").read_text())
    analysis = emcoder.analyze(note.read_text(encoding="utf-8"), meta)
    data = analysis.model_dump(mode="json")
    data.pop("emcoder_version")
    data.pop("ruleset_sha256")  # stamped on results; a rules edit shows up in the items instead
    return data


@pytest.mark.parametrize("note", NOTES, ids=[n.stem for n in NOTES])
def test_golden(note, request):
    got = stable_json(note)
    expected_path = HERE / "expected" / f"{note.stem}.json"
    if request.config.getoption("--update-golden") or not expected_path.exists():
        expected_path.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    assert got == json.loads(expected_path.read_text())


def test_there_are_golden_notes():
    assert len(NOTES) >= 5
