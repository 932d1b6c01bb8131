"""CI gate: fail when E/M exact agreement or ICD-10-CM F1 on the project corpus falls more than
2 points below the recorded baseline (`eval/baseline.json`).

Usage: python eval/check_baseline.py [corpora/gold] [--write]   (--write records a new baseline;
do that only when a change truly improves the numbers, and say so in the commit).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from emcoder.evaluation.adapter import predict
from emcoder.evaluation.runner import run_eval, to_json

BASELINE = Path(__file__).resolve().parent / "baseline.json"
TOLERANCE = 0.02
GATED = (("em_exact",), ("icd10cm", "f1"))


def pick(metrics: dict, path: tuple[str, ...]) -> float | None:
    value = metrics
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def main(argv: list[str]) -> int:
    folder = Path(next((a for a in argv[1:] if not a.startswith("--")), "corpora/gold"))
    metrics = to_json(run_eval(folder, predict, progress=False))
    current = {".".join(p): pick(metrics, p) for p in GATED}
    if "--write" in argv:
        BASELINE.write_text(json.dumps({"corpus": str(folder), "notes": metrics["notes"], **current}, indent=2) + "\n")
        print(f"baseline written: {current}")
        return 0
    baseline = json.loads(BASELINE.read_text())
    failed = False
    for key, value in current.items():
        floor = baseline[key] - TOLERANCE
        status = "ok" if value is not None and value >= floor else "FAILED"
        failed |= status == "FAILED"
        print(f"{key}: {value} (baseline {baseline[key]}, floor {floor:.3f}) {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
