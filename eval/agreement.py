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

ELEMENT_ORDER = {
    "problems": ["minimal", "low", "moderate", "high"],
    "data": ["minimal", "limited", "moderate", "extensive"],
    "risk": ["minimal", "low", "moderate", "high"],
    "level": ["straightforward", "low", "moderate", "high"],
}


def kappa(a: list, b: list, weights: str | None = None) -> float | None:
    """Cohen's kappa; with weights='quadratic' the labels must be integers (ordinal)."""
    n = len(a)
    if n == 0:
        return None
    cats = sorted(set(a) | set(b))
    idx = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    if k == 1:
        return 1.0
    obs = [[0.0] * k for _ in range(k)]
    for x, y in zip(a, b):
        obs[idx[x]][idx[y]] += 1
    ra, rb = Counter(a), Counter(b)
    span = (max(cats) - min(cats)) if weights == "quadratic" else 1
    num = den = 0.0
    for i, ci in enumerate(cats):
        for j, cj in enumerate(cats):
            if weights == "quadratic":
                w = ((ci - cj) / span) ** 2 if span else 0.0
            else:
                w = 0.0 if i == j else 1.0
            num += w * obs[i][j] / n
            den += w * ra[ci] * rb[cj] / (n * n)
    return 1.0 if den == 0 else round(1 - num / den, 3)


def load(folder: Path) -> dict[str, dict]:
    return {p.name[: -len(".gold.json")]: json.loads(p.read_text()) for p in folder.glob("*.gold.json")}


def agreement(first: dict[str, dict], second: dict[str, dict]) -> dict:
    ids = sorted(set(first) & set(second))
    out: dict = {"notes": len(ids)}
    a_codes = [first[i]["em"]["code"] for i in ids]
    b_codes = [second[i]["em"]["code"] for i in ids]
    out["em_exact"] = round(sum(x == y for x, y in zip(a_codes, b_codes)) / len(ids), 3) if ids else None
    out["em_kappa"] = kappa(a_codes, b_codes)
    out["em_kappa_quadratic"] = kappa([em_level(c)[1] for c in a_codes], [em_level(c)[1] for c in b_codes],
                                      "quadratic")
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
