"""The contract between the evaluation suite and the pipeline: what a predictor returns.

A `Predictor` is called once per gold note with the note text and the gold file's `encounter`
object, and returns a `Prediction`. All offsets are character offsets into that text (end
exclusive).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SUGGESTION_KINDS = ("mdm_item", "icd10cm", "cpt")
ELEMENT_KINDS = ("problem", "data", "risk")


@dataclass(frozen=True)
class Span:
    """Characters `text[start:end]` of the note."""

    start: int
    end: int


@dataclass(frozen=True)
class Suggestion:
    """One thing the system suggests, with the evidence it cites.

    `kind` is "mdm_item", "icd10cm" or "cpt". For "mdm_item", `element` is "problem", "data" or
    "risk" and `label` the spec's element label; for codes, `label` is the code and `element` None.
    """

    kind: str
    label: str
    spans: tuple[Span, ...]
    element: str | None
    explanation: str


@dataclass(frozen=True)
class Prediction:
    """What the system assigned to one note (the fields mirror the gold file's)."""

    em_code: str | None
    basis: str | None
    mdm: dict[str, str]  # keys problems, data, risk, level
    time_minutes: int | None
    icd10cm: tuple[str, ...]  # first-listed first
    cpt: tuple[str, ...]
    gaps: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]
    summary: str  # one line: why this E/M level


Predictor = Callable[[str, dict], Prediction]


def empty_prediction(summary: str = "") -> Prediction:
    """A prediction of nothing: no E/M code, no MDM values, no codes, no evidence."""
    return Prediction(
        em_code=None,
        basis=None,
        mdm={},
        time_minutes=None,
        icd10cm=(),
        cpt=(),
        gaps=(),
        suggestions=(),
        summary=summary,
    )
