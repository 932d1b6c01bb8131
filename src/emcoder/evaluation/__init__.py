"""The evaluation suite: replay a gold corpus (`emcoder.gold/1`) and measure agreement.

`run_eval(folder, predictor, progress=...)` -> `EvalRun`; `format_summary(run)`, `to_json(run)`;
`write_report(run, out_dir)` (in `emcoder.evaluation.report`, imports matplotlib).
"""

from __future__ import annotations

from emcoder.evaluation.prediction import Prediction, Predictor, Span, Suggestion
from emcoder.evaluation.runner import EvalRun, format_summary, run_eval, to_json

__all__ = [
    "EvalRun",
    "Prediction",
    "Predictor",
    "Span",
    "Suggestion",
    "format_summary",
    "run_eval",
    "to_json",
]
