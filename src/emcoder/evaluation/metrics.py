"""The metrics of `emcoder eval`, exactly as computed (gold-format.md gives the contract).

All shares are over the evaluated notes (broken files excluded) and are null when there are none.
Ratios are computed exactly with fractions and converted to float once. A note the predictor
failed on counts as an empty prediction (no code, no MDM values, no codes, no evidence). E/M
levels come from `families.em_level`: a code in no family is a one-code family of its own, rank 1.

- notes: number of notes evaluated.
- em_exact: predicted E/M code == gold `em.code` (both null counts as equal).
- em_within_one, em_over, em_under, em_family_mismatch: shares of notes by `families.compare_em`
  (same family and |rank difference| <= 1; null vs a rank-1 code is within one; over = same
  family and higher rank, or gold null and a predicted code; under symmetric; family_mismatch =
  both codes, different families, counted neither over nor under).
- em_kappa_quadratic: Cohen's kappa with quadratic weights over ordinal ranks (`em_level` rank,
  null = 0). Categories are the sorted union of the ranks observed in gold and prediction; the
  weight of categories i, j (their indices in that list) is (i - j)^2, so
  kappa = 1 - n * sum(w * observed) / sum(w * rowtotal * coltotal) (the same as scikit-learn's
  `cohen_kappa_score(weights="quadratic")`). 1.0 when both raters are constant and equal; null
  with no notes.
- mdm_level_exact, element_exact.{problems,data,risk}: share of notes whose predicted value
  equals gold `em.mdm`'s (a missing predicted value is a miss).
- icd10cm precision/recall/f1: micro-averaged over notes on per-note sets of codes upper-cased
  (TP = sum |gold & pred|; P = TP / sum |pred|; R = TP / sum |gold|).
  first_listed_exact: over notes whose gold list is non-empty, predicted first == gold first
  (upper-cased; an empty prediction is a miss); null when no such note.
  category_f1: the micro F1 of per-note sets of the codes' first 3 characters (upper-cased).
- cpt precision/recall/f1: the same on per-note sets of upper-cased codes with their modifiers.
- gaps precision/recall/f1: the same, only over notes whose gold has a "gaps" key, labels as
  written; all null when no note has the key.
  For every P/R/F: P is null when nothing is predicted overall, R null when gold is empty
  overall, F = 2PR/(P+R), null when P or R is null, 0 when P + R = 0.
- evidence_coverage: share of all predicted suggestions (all notes, all kinds) with at least one
  span where 0 <= start < end <= len(note text); null when there are no suggestions.
- evidence_recall: over notes whose gold has "elements", the share of gold elements (those whose
  quote is in the note) that some predicted `mdm_item` suggestion of the same element kind
  overlaps: a span [s, e) overlaps an occurrence [a, b) when max(s, a) < min(e, b). Occurrences are
  the gold start/end when given and valid, else every position where `str.find` finds the quote.
  Null when there are no such gold elements.
- latency_ms p50/p95: nearest-rank percentiles of per-note predictor latency in milliseconds
  (`time.perf_counter` around the predictor call; the warm-up call is not included): the value
  at 1-based position ceil(p/100 * n) of the ascending list, no interpolation. Null with no notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from emcoder.evaluation.corpus import GoldNote
from emcoder.evaluation.families import compare_em, em_level
from emcoder.evaluation.prediction import Prediction, Suggestion

ELEMENTS = ("problems", "data", "risk")


@dataclass(frozen=True)
class NoteResult:
    """One evaluated note: gold, prediction, latency, and the predictor's failure if any."""

    note: GoldNote
    prediction: Prediction
    latency_ms: float
    error: str | None = None  # set when the predictor raised; the prediction is then empty


def _f(x: Fraction | None) -> float | None:
    return None if x is None else float(x)


def share(flags: Iterable[bool]) -> float | None:
    """Fraction of true flags; None for none."""
    flags = list(flags)
    return float(Fraction(sum(flags), len(flags))) if flags else None


def prf(pairs: Iterable[tuple[set[str], set[str]]]) -> dict[str, float | None]:
    """Micro precision/recall/F1 over (gold set, predicted set) pairs."""
    tp = n_pred = n_gold = 0
    for gold, pred in pairs:
        tp += len(gold & pred)
        n_pred += len(pred)
        n_gold += len(gold)
    p = Fraction(tp, n_pred) if n_pred else None
    r = Fraction(tp, n_gold) if n_gold else None
    f = None if p is None or r is None else (Fraction(0) if p + r == 0 else 2 * p * r / (p + r))
    return {"precision": _f(p), "recall": _f(r), "f1": _f(f)}


def kappa_quadratic(gold: Sequence[int], pred: Sequence[int]) -> float | None:
    """Quadratic-weighted Cohen's kappa over ordinal categories (see the module docstring)."""
    n = len(gold)
    if n == 0:
        return None
    cats = sorted(set(gold) | set(pred))
    idx = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    observed = [[0] * k for _ in range(k)]
    for g, p in zip(gold, pred, strict=True):
        observed[idx[g]][idx[p]] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = sum((i - j) ** 2 * observed[i][j] for i in range(k) for j in range(k))
    den = sum((i - j) ** 2 * rows[i] * cols[j] for i in range(k) for j in range(k))
    if den == 0:  # both raters constant and equal
        return 1.0
    return float(1 - Fraction(n * num, den))


def nearest_rank(values: Sequence[float], p: int) -> float | None:
    """Nearest-rank percentile: the ceil(p/100 * n)-th smallest value (1-based); None when empty."""
    if not values:
        return None
    rank = max(1, -(-p * len(values) // 100))
    return sorted(values)[rank - 1]


def span_ok(start: int, end: int, length: int) -> bool:
    return 0 <= start < end <= length


def covered(s: Suggestion, length: int) -> bool:
    """The suggestion cites at least one span inside the note."""
    return any(span_ok(sp.start, sp.end, length) for sp in s.spans)


def element_recalled(
    occurrences: Sequence[tuple[int, int]], kind: str, suggestions: Sequence[Suggestion]
) -> bool:
    """Some mdm_item suggestion of this element kind has a span overlapping an occurrence."""
    return any(
        max(sp.start, a) < min(sp.end, b)
        for s in suggestions
        if s.kind == "mdm_item" and s.element == kind
        for sp in s.spans
        for a, b in occurrences
    )


def _upper(codes: Iterable[str]) -> set[str]:
    return {c.upper() for c in codes}


def compute_metrics(results: Sequence[NoteResult]) -> dict[str, Any]:
    """Every metric of the spec (plus em_family_mismatch) over the evaluated notes."""
    golds = [r.note.gold for r in results]
    preds = [r.prediction for r in results]
    cmp = [compare_em(g["em"]["code"], p.em_code) for g, p in zip(golds, preds, strict=True)]
    icd = [(_upper(g["icd10cm"]), _upper(p.icd10cm)) for g, p in zip(golds, preds, strict=True)]
    first = [
        bool(p.icd10cm) and p.icd10cm[0].upper() == g["icd10cm"][0].upper()
        for g, p in zip(golds, preds, strict=True)
        if g["icd10cm"]
    ]
    suggestions = [covered(s, len(r.note.text)) for r in results for s in r.prediction.suggestions]
    recalled = [
        element_recalled(el.occurrences, el.element, r.prediction.suggestions)
        for r in results
        if r.note.elements is not None
        for el in r.note.elements
    ]
    has_gaps = [(set(g["gaps"]), set(p.gaps)) for g, p in zip(golds, preds, strict=True) if "gaps" in g]
    latencies = [r.latency_ms for r in results]
    return {
        "notes": len(results),
        "em_exact": share(c.exact for c in cmp),
        "em_within_one": share(c.within_one for c in cmp),
        "em_over": share(c.direction == "over" for c in cmp),
        "em_under": share(c.direction == "under" for c in cmp),
        "em_family_mismatch": share(c.direction == "family_mismatch" for c in cmp),
        "em_kappa_quadratic": kappa_quadratic(
            [em_level(g["em"]["code"])[1] for g in golds], [em_level(p.em_code)[1] for p in preds]
        ),
        "mdm_level_exact": share(
            p.mdm.get("level") == g["em"]["mdm"]["level"] for g, p in zip(golds, preds, strict=True)
        ),
        "element_exact": {
            k: share(p.mdm.get(k) == g["em"]["mdm"][k] for g, p in zip(golds, preds, strict=True))
            for k in ELEMENTS
        },
        "icd10cm": {
            **prf(icd),
            "first_listed_exact": share(first),
            "category_f1": prf(({c[:3] for c in g}, {c[:3] for c in p}) for g, p in icd)["f1"],
        },
        "cpt": prf((_upper(g["cpt"]), _upper(p.cpt)) for g, p in zip(golds, preds, strict=True)),
        "gaps": prf(has_gaps),  # no note with "gaps": all null
        "evidence_coverage": share(suggestions),
        "evidence_recall": share(recalled),
        "latency_ms": {"p50": nearest_rank(latencies, 50), "p95": nearest_rank(latencies, 95)},
    }
