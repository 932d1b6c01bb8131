"""Robustness over real notes nobody on the team wrote (MTSamples, read from ../shared when
present): every note analyzes, every evidence span is the note's own text, and no suggested
ICD-10-CM code is ever invalid or non-billable."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
import simple_icd_10_cm as icd

import emcoder

MTSAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "mtsamples" / "mtsamples_unique_notes.csv"
SAMPLE = 60


def sample_notes() -> list[str]:
    if not MTSAMPLES.exists():
        return []
    with MTSAMPLES.open(encoding="utf-8") as fh:
        rows = [r["transcription"] for r in csv.DictReader(fh) if r["transcription"].strip()]
    random.Random(7).shuffle(rows)
    return [r for r in rows if sum(ch.isalpha() for ch in r) > 40][:SAMPLE]


NOTES = sample_notes()


@pytest.mark.slow
@pytest.mark.skipif(not NOTES, reason="../shared/data/mtsamples is not present beside the project")
def test_real_notes_analyze_with_valid_spans_and_billable_codes():
    for text in NOTES:
        analysis = emcoder.analyze(text, {"setting": "office", "patient": "established"})
        for item in analysis.items:
            for ev in item.evidence:
                assert text[ev.start:ev.end] == ev.text
        for dx in analysis.icd10cm:
            assert icd.is_valid_item(dx.code) and icd.is_leaf(dx.code), dx.code
            assert all(text[e.start:e.end] == e.text for e in dx.evidence)
        for gap in analysis.gaps:
            assert gap.query.indicators
