"""Replay the MTSamples development labels: E/M agreement on dictated ED, hospital, consult,
discharge and office notes, which ACI-BENCH (outpatient only) cannot measure.

MTSamples text may not be committed (mtsamples.com terms), so `corpora/mtsamples_dev/` holds
codes-only labels (`<note_id>.label.json`, schema `emcoder.mtsamples-label/1`, no text from the
note). This script joins them with the notes in `../shared/data/mtsamples/` into a temporary
`emcoder.gold/1` folder, runs the evaluation suite on it and prints the metrics, overall and per
setting.

Usage: python eval/mtsamples_dev.py [--labels corpora/mtsamples_dev] [--csv PATH] [--keep DIR] [--json]
Exit status 2 (with a message) when the MTSamples file is not there.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from emcoder.evaluation.adapter import predict
from emcoder.evaluation.runner import note_json, run_eval, summary_rows, to_json

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = ROOT.parent / "shared" / "data" / "mtsamples" / "mtsamples_unique_notes.csv"
LABEL_SCHEMA = "emcoder.mtsamples-label/1"
GOLD_FIELDS = ("encounter", "em", "icd10cm", "cpt", "gaps", "rationale")


def load_labels(folder: Path) -> list[dict]:
    labels = []
    for path in sorted(folder.glob("*.label.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != LABEL_SCHEMA:
            raise SystemExit(f"{path.name}: schema must be {LABEL_SCHEMA!r}")
        labels.append(data)
    return labels


def load_notes(csv_path: Path) -> dict[str, str]:
    csv.field_size_limit(10_000_000)
    with csv_path.open(encoding="utf-8", newline="") as fh:
        return {row["note_id"]: row["transcription"] for row in csv.DictReader(fh)}


def materialize(labels: list[dict], notes: dict[str, str], out: Path) -> list[str]:
    """Write `<id>.txt` + `<id>.gold.json` for every label whose note is present; return missing ids."""
    missing = []
    for label in labels:
        note_id = label["note_id"]
        text = notes.get(note_id)
        if not text:
            missing.append(note_id)
            continue
        stem = f"mts-{note_id}"
        (out / f"{stem}.txt").write_text(text.strip() + "\n", encoding="utf-8")
        gold = {"schema": "emcoder.gold/1", "id": stem, "source": f"mtsamples {note_id}",
                **{key: label[key] for key in GOLD_FIELDS if key in label}}
        if gold.get("em", {}).get("basis") is None:
            gold["em"] = {**gold["em"], "basis": "mdm"}  # the gold schema wants one even with no E/M code
        (out / f"{stem}.gold.json").write_text(json.dumps(gold, indent=2) + "\n", encoding="utf-8")
    return missing


def by_setting(run, settings: dict[str, str]) -> dict[str, dict[str, float]]:
    """E/M exact agreement per encounter setting."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for result in run.results:
        row = note_json(result)
        setting = settings.get(row["id"], "?")
        tally[setting][1] += 1
        tally[setting][0] += int(bool(row["em"]["exact"]))
    return {s: {"notes": n, "em_exact": round(ok / n, 3)} for s, (ok, n) in sorted(tally.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=ROOT / "corpora" / "mtsamples_dev")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--keep", type=Path, help="write the joined gold folder here and keep it")
    parser.add_argument("--json", action="store_true", help="print the metrics object")
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        print(f"MTSamples notes not found at {args.csv}; nothing to evaluate", file=sys.stderr)
        return 2
    labels = load_labels(args.labels)
    notes = load_notes(args.csv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        missing = materialize(labels, notes, folder)
        run = run_eval(folder, predict, progress=False)
    metrics = to_json(run)
    settings = {f"mts-{label['note_id']}": label["encounter"]["setting"] for label in labels}
    metrics["by_setting"] = by_setting(run, settings)
    metrics["missing_notes"] = missing
    if args.json:
        print(json.dumps(metrics, indent=2))
        return 0
    for name, value in summary_rows(metrics):
        print(f"  {name:<34} {value}")
    for setting, row in metrics["by_setting"].items():
        print(f"  E/M exact, {setting:<23} {row['em_exact']:.3f}  ({row['notes']} notes)")
    if missing:
        print(f"  labels whose note is not in the CSV: {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
