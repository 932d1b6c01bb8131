"""Replay a gold corpus through a predictor: `run_eval`, then `format_summary` or `to_json`.

Notes run in file-name order, so everything but latency is deterministic for a deterministic
predictor. Latency is `time.perf_counter` around each predictor call, in milliseconds. A predictor
that raises, or returns something that is not a valid `Prediction`, does not stop the run: the
note is scored as an empty prediction (no code, no evidence) and the failure is listed among the
errors by exception type only (exception messages may quote the note), except emcoder's own
errors, whose messages never contain note text.

By default the predictor is called once on the first note before the timed run (`warmup`), so
that loading models is not counted as one note's latency; that call's time is reported as
`warmup_ms` and its result is discarded.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from tqdm import tqdm

from emcoder.evaluation.corpus import FileIssue, GoldNote, load_corpus
from emcoder.evaluation.families import compare_em
from emcoder.evaluation.metrics import NoteResult, compute_metrics, element_recalled
from emcoder.evaluation.prediction import Prediction, Predictor, Span, Suggestion, empty_prediction


@dataclass
class EvalRun:
    """The outcome of one evaluation: per-note results, metrics and every issue found."""

    folder: Path
    results: list[NoteResult]
    metrics: dict[str, Any]
    issues: list[FileIssue] = field(default_factory=list)  # from reading the corpus
    warmup_ms: float | None = None  # the untimed-for-metrics first call, when warmup was on

    @property
    def errors(self) -> list[FileIssue]:
        """Files not evaluated, and notes the predictor failed on; sorted by file name."""
        failed = [FileIssue(r.note.id + ".txt", r.error, False) for r in self.results if r.error]
        return sorted([i for i in self.issues if i.fatal] + failed, key=lambda i: i.file)

    @property
    def warnings(self) -> list[FileIssue]:
        """Issues of notes that were still evaluated."""
        return [i for i in self.issues if not i.fatal]

    @property
    def files_skipped(self) -> int:
        return len({i.file for i in self.issues if i.fatal})


def _is_strs(value: Any) -> bool:
    return isinstance(value, tuple | list) and all(isinstance(v, str) for v in value)


def _opt(value: Any, kind: type) -> bool:
    return value is None or (isinstance(value, kind) and not isinstance(value, bool))


def _bad_suggestion(s: Any) -> bool:
    return (
        not isinstance(s, Suggestion)
        or not all(isinstance(v, str) for v in (s.kind, s.label, s.explanation))
        or not _opt(s.element, str)
        or not isinstance(s.spans, tuple | list)
        or not all(isinstance(sp, Span) and _opt(sp.start, int) and _opt(sp.end, int) for sp in s.spans)
        or any(sp.start is None or sp.end is None for sp in s.spans)
    )


def _invalid(p: Any) -> str | None:
    """Which part of a returned prediction breaks the contract, or None."""
    if not isinstance(p, Prediction):
        return f"returned {type(p).__name__}, not a Prediction"
    if not (_opt(p.em_code, str) and _opt(p.basis, str) and _opt(p.time_minutes, int)):
        return "em_code, basis or time_minutes has the wrong type"
    if not isinstance(p.mdm, dict) or not all(isinstance(v, str) for v in p.mdm.values()):
        return "mdm is not a dict of strings"
    for name in ("icd10cm", "cpt", "gaps"):
        if not _is_strs(getattr(p, name)):
            return f"{name} is not a sequence of strings"
    if not isinstance(p.summary, str):
        return "summary is not a string"
    if not isinstance(p.suggestions, tuple | list) or any(_bad_suggestion(s) for s in p.suggestions):
        return "suggestions are not Suggestions with integer Spans"
    return None


def _failure(exc: Exception) -> str:
    try:
        from emcoder.errors import EmcoderError
    except ImportError:  # pragma: no cover
        EmcoderError = ()
    detail = f": {exc.message}" if isinstance(exc, EmcoderError) else ""
    return f"predictor failed ({type(exc).__name__}{detail}); scored as an empty prediction"


def _predict(note: GoldNote, predictor: Predictor) -> NoteResult:
    encounter = dict(note.gold["encounter"])
    t0 = perf_counter()
    try:
        pred = predictor(note.text, encounter)
    except Exception as exc:  # any failure is reported, never a traceback
        ms = (perf_counter() - t0) * 1000
        return NoteResult(note, empty_prediction(), ms, _failure(exc))
    ms = (perf_counter() - t0) * 1000
    problem = _invalid(pred)
    if problem:
        return NoteResult(note, empty_prediction(), ms, f"predictor {problem}; scored as an empty prediction")
    return NoteResult(note, pred, ms)


def _warmup(notes: list[GoldNote], predictor: Predictor) -> float | None:
    if not notes:
        return None
    t0 = perf_counter()
    try:
        predictor(notes[0].text, dict(notes[0].gold["encounter"]))
    except Exception:  # the timed call reports it
        pass
    return (perf_counter() - t0) * 1000


def run_eval(folder: Path, predictor: Predictor, *, progress: bool, warmup: bool = True) -> EvalRun:
    """Validate the corpus, run the predictor on every evaluable note, compute the metrics."""
    notes, issues = load_corpus(Path(folder))
    warm = _warmup(notes, predictor) if warmup else None
    bar = tqdm(
        notes,
        total=len(notes),
        desc="emcoder eval",
        unit="note",
        file=sys.stderr,
        disable=not progress,
        leave=False,
    )
    results = [_predict(note, predictor) for note in bar]
    bar.close()
    return EvalRun(Path(folder), results, compute_metrics(results), issues, warm)


def _version() -> str | None:
    try:
        from emcoder import __version__
    except ImportError:  # pragma: no cover
        return None
    return __version__


def _issue_list(issues: list[FileIssue]) -> list[dict[str, str]]:
    return [{"file": i.file, "reason": i.reason} for i in issues]


def note_json(r: NoteResult) -> dict[str, Any]:
    """One note's gold, prediction and comparison, without any note text."""
    g, p = r.note.gold, r.prediction
    c = compare_em(g["em"]["code"], p.em_code)
    elements = r.note.elements or ()
    recalled = [el.index for el in elements if element_recalled(el.occurrences, el.element, p.suggestions)]
    return {
        "id": r.note.id,
        "file": r.note.file,
        "latency_ms": round(r.latency_ms, 3),
        "error": r.error,
        "gold": {
            "em_code": g["em"]["code"],
            "mdm": g["em"]["mdm"],
            "icd10cm": g["icd10cm"],
            "cpt": g["cpt"],
            "gaps": g.get("gaps"),
        },
        "predicted": {
            "em_code": p.em_code,
            "basis": p.basis,
            "mdm": dict(p.mdm),
            "time_minutes": p.time_minutes,
            "icd10cm": list(p.icd10cm),
            "cpt": list(p.cpt),
            "gaps": list(p.gaps),
            "suggestions": [
                {
                    "kind": s.kind,
                    "label": s.label,
                    "element": s.element,
                    "spans": [[sp.start, sp.end] for sp in s.spans],
                }
                for s in p.suggestions
            ],
        },
        "em": {"exact": c.exact, "within_one": c.within_one, "direction": c.direction},
        "elements_recalled": recalled,
        "elements_missed": [el.index for el in elements if el.index not in recalled],
    }


def to_json(run: EvalRun, *, per_note: bool = False) -> dict[str, Any]:
    """The spec's metrics object, plus warmup_ms, files_skipped, version, errors, warnings, per_note."""
    m = run.metrics
    lat = m["latency_ms"]
    out: dict[str, Any] = {**m, "latency_ms": {k: None if v is None else round(v, 3) for k, v in lat.items()}}
    out.update(
        warmup_ms=None if run.warmup_ms is None else round(run.warmup_ms, 3),
        files_skipped=run.files_skipped,
        version=_version(),
        errors=_issue_list(run.errors),
        warnings=_issue_list(run.warnings),
    )
    if per_note:
        out["per_note"] = [note_json(r) for r in run.results]
    return out


def fmt(value: float | None, digits: int = 3) -> str:
    """A metric for people: fixed decimals, '-' for null."""
    return "-" if value is None else f"{value:.{digits}f}"


def summary_rows(m: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of the metrics table shared by the summary and the report."""
    i, c, g, e = m["icd10cm"], m["cpt"], m["gaps"], m["element_exact"]
    return [
        ("notes evaluated", str(m["notes"])),
        ("E/M exact", fmt(m["em_exact"])),
        ("E/M within one level", fmt(m["em_within_one"])),
        ("E/M over (predicted higher)", fmt(m["em_over"])),
        ("E/M under (predicted lower)", fmt(m["em_under"])),
        ("E/M family mismatch", fmt(m["em_family_mismatch"])),
        ("E/M kappa (quadratic)", fmt(m["em_kappa_quadratic"])),
        ("MDM level exact", fmt(m["mdm_level_exact"])),
        ("MDM problems exact", fmt(e["problems"])),
        ("MDM data exact", fmt(e["data"])),
        ("MDM risk exact", fmt(e["risk"])),
        ("ICD-10-CM precision / recall / F1", " / ".join(fmt(i[k]) for k in ("precision", "recall", "f1"))),
        ("ICD-10-CM first-listed exact", fmt(i["first_listed_exact"])),
        ("ICD-10-CM category F1", fmt(i["category_f1"])),
        ("CPT precision / recall / F1", " / ".join(fmt(c[k]) for k in ("precision", "recall", "f1"))),
        ("gaps precision / recall / F1", " / ".join(fmt(g[k]) for k in ("precision", "recall", "f1"))),
        ("evidence coverage", fmt(m["evidence_coverage"])),
        ("evidence recall", fmt(m["evidence_recall"])),
        ("latency ms p50 / p95", " / ".join(fmt(m["latency_ms"][k], 1) for k in ("p50", "p95"))),
    ]


def format_summary(run: EvalRun) -> str:
    """A readable table of the metrics, then every error and warning (file: reason)."""
    rows = summary_rows(run.metrics)
    width = max(len(label) for label, _ in rows)
    head = (
        f"emcoder eval {run.folder}: {run.metrics['notes']} notes evaluated, "
        f"{run.files_skipped} files skipped, {len(run.warnings)} warnings"
    )
    lines = [head, ""]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    for title, issues in (("errors", run.errors), ("warnings", run.warnings)):
        if issues:
            lines += ["", f"{title} ({len(issues)}):"] + [f"  {i.file}: {i.reason}" for i in issues]
    return "\n".join(lines)
