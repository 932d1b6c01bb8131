"""Inter-annotator agreement between two gold folders over the notes both label.

Usage: python eval/agreement.py corpora/gold corpora/second_annotation [--markdown]

Reports, over the shared note ids: E/M code exact agreement, Cohen's kappa (unweighted) and
quadratic-weighted kappa over E/M level ranks (0 = no E/M), MDM level and per-element exact
agreement with kappa, and ICD-10-CM micro F1 of one annotator against the other.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from emcoder.evaluation.families import em_level
from emcoder.evaluation.metrics import kappa_quadratic

ELEMENT_ORDER = {
    "problems": ["minimal", "low", "moderate", "high"],
    "data": ["minimal", "limited", "moderate", "extensive"],
    "risk": ["minimal", "low", "moderate", "high"],
    "level": ["straightforward", "low", "moderate", "high"],
}


def kappa(a: list, b: list) -> float | None:
    """Unweighted Cohen's kappa (nominal labels)."""
    n = len(a)
    if n == 0:
        return None
    ra, rb = Counter(a), Counter(b)
    observed = sum(x == y for x, y in zip(a, b)) / n
    expected = sum(ra[c] * rb[c] for c in set(a) | set(b)) / (n * n)
    return 1.0 if expected == 1 else round((observed - expected) / (1 - expected), 3)


def load(folder: Path) -> dict[str, dict]:
    return {p.name[: -len(".gold.json")]: json.loads(p.read_text()) for p in folder.glob("*.gold.json")}


def agreement(first: dict[str, dict], second: dict[str, dict]) -> dict:
    ids = sorted(set(first) & set(second))
    out: dict = {"notes": len(ids)}
    a_codes = [first[i]["em"]["code"] for i in ids]
    b_codes = [second[i]["em"]["code"] for i in ids]
    out["em_exact"] = round(sum(x == y for x, y in zip(a_codes, b_codes)) / len(ids), 3) if ids else None
    out["em_kappa"] = kappa(a_codes, b_codes)
    qk = kappa_quadratic([em_level(c)[1] for c in a_codes], [em_level(c)[1] for c in b_codes])
    out["em_kappa_quadratic"] = None if qk is None else round(qk, 3)
    for element, order in ELEMENT_ORDER.items():
        xa = [order.index(first[i]["em"]["mdm"][element]) for i in ids]
        xb = [order.index(second[i]["em"]["mdm"][element]) for i in ids]
        out[f"{element}_exact"] = round(sum(x == y for x, y in zip(xa, xb)) / len(ids), 3) if ids else None
        out[f"{element}_kappa"] = kappa(xa, xb)
    tp = fp = fn = 0
    for i in ids:
        sa, sb = set(first[i]["icd10cm"]), set(second[i]["icd10cm"])
        tp, fp, fn = tp + len(sa & sb), fp + len(sb - sa), fn + len(sa - sb)
    out["icd10cm_f1"] = round(2 * tp / (2 * tp + fp + fn), 3) if tp + fp + fn else None
    out["disagreements"] = [(i, x, y) for i, x, y in zip(ids, a_codes, b_codes) if x != y]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    args = parser.parse_args()
    result = agreement(load(args.first), load(args.second))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
