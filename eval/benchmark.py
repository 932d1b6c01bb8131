"""Latency benchmark over the ACI-BENCH development notes (one process, one core).

Usage: python eval/benchmark.py [--csv ../shared/data/aci-bench/train.csv] [--repeat 3]
Prints p50/p95 ms per note and notes/s, after one warm-up pass (pipeline build excluded).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "aci-bench" / "train.csv"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, int(round(q / 100 * len(ordered) + 0.5)))  # nearest rank
    return ordered[min(rank, len(ordered)) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import emcoder

    notes = [row["note"] for row in csv.DictReader(args.csv.open(encoding="utf-8"))]
    enc = {"setting": "office", "patient": "established", "payer": "commercial"}
    t0 = time.perf_counter()
    emcoder.analyze(notes[0], enc)
    build = time.perf_counter() - t0
    for note in notes:  # warm-up
        emcoder.analyze(note, enc)
    latencies: list[float] = []
    start = time.perf_counter()
    for _ in range(args.repeat):
        for note in notes:
            t = time.perf_counter()
            emcoder.analyze(note, enc)
            latencies.append((time.perf_counter() - t) * 1000)
    wall = time.perf_counter() - start
    print(f"notes: {len(notes)} x {args.repeat} runs; first call incl. pipeline build {build:.2f} s")
    print(f"p50 {percentile(latencies, 50):.1f} ms  p95 {percentile(latencies, 95):.1f} ms  "
          f"mean {statistics.mean(latencies):.1f} ms  throughput {len(latencies) / wall:.1f} notes/s")


if __name__ == "__main__":
    main()
