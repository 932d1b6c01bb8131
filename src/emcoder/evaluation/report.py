"""The auditor's report of an evaluation run: `write_report(run, out_dir)`.

Writes `index.html` (metrics table, confusion matrix, per-element agreement, code precision and
recall with the codes most often missed or added, errors, and for every note with a
disagreement: gold vs predicted, the system's one-line reason and the evidence it cited, quoted
from the note), `confusion_matrix.png` (E/M levels per code family, rows gold, columns predicted,
annotated counts) and `metrics.json` (`to_json(run, per_note=True)`, no note text).
The report quotes notes: keep it where protected health information may be kept.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from html import escape
from pathlib import Path

from matplotlib.figure import Figure

from emcoder.evaluation import metrics as metrics_module
from emcoder.evaluation.families import FAMILIES, compare_em, em_level, family_codes
from emcoder.evaluation.metrics import NoteResult, element_recalled, span_ok
from emcoder.evaluation.runner import EvalRun, fmt, summary_rows, to_json

ELEMENT_VALUES = {
    "problems": ("minimal", "low", "moderate", "high"),
    "data": ("minimal", "limited", "moderate", "extensive"),
    "risk": ("minimal", "low", "moderate", "high"),
    "level": ("straightforward", "low", "moderate", "high"),
}
NONE, OTHER = "none", "other family"
MAX_QUOTE = 300
TOP_CODES = 15


def _panel(r: NoteResult) -> str | None:
    g, p = r.note.gold["em"]["code"], r.prediction.em_code
    return em_level(g)[0] if g is not None else em_level(p)[0]


def confusion_panels(results: list[NoteResult]) -> dict[str, tuple[list[str], list[str], Counter]]:
    """Per family: gold axis labels, predicted axis labels, counts of (gold, predicted) labels."""
    by_family: dict[str, list[NoteResult]] = {}
    for r in results:
        fam = _panel(r)
        if fam is not None:
            by_family.setdefault(fam, []).append(r)
    order = list(FAMILIES) + sorted(f for f in by_family if f not in FAMILIES)
    panels = {}
    for fam in (f for f in order if f in by_family):
        codes = family_codes(fam)
        counts: Counter = Counter()
        for r in by_family[fam]:
            g, p = r.note.gold["em"]["code"], r.prediction.em_code
            counts[(g if g in codes else NONE, p if p in codes else NONE if p is None else OTHER)] += 1
        rows = ([NONE] if any(k[0] == NONE for k in counts) else []) + list(codes)
        cols = (
            ([NONE] if any(k[1] == NONE for k in counts) else [])
            + list(codes)
            + ([OTHER] if any(k[1] == OTHER for k in counts) else [])
        )
        panels[fam] = (rows, cols, counts)
    return panels


def write_confusion_png(results: list[NoteResult], path: Path) -> None:
    """E/M confusion matrices, one panel per family (the gold code's, else the predicted one's)."""
    panels = confusion_panels(results)
    both_none = sum(1 for r in results if _panel(r) is None)
    n = max(1, len(panels))
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(5.2 * ncols, 4.6 * nrows + 0.6))
    for k, (fam, (rows, cols, counts)) in enumerate(panels.items()):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        grid = [[counts.get((g, p), 0) for p in cols] for g in rows]
        ax.imshow(grid, cmap="Blues", vmin=0, vmax=max(1, max(max(row) for row in grid)))
        top = max(max(row) for row in grid)
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                ax.text(
                    j,
                    i,
                    str(v),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if v and v > top / 2 else ("black" if v else "0.7"),
                )
        ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(rows)), rows, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(f"{fam} ({sum(counts.values())} notes)", fontsize=10)
    if not panels:
        ax = fig.add_subplot(1, 1, 1)
        ax.axis("off")
        ax.text(0.5, 0.5, "no E/M codes in gold or prediction", ha="center", va="center")
    fig.suptitle(f"E/M levels, gold (rows) vs predicted (columns); {both_none} notes with no E/M in either")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _element_section(results: list[NoteResult]) -> str:
    parts = []
    for key, values in ELEMENT_VALUES.items():
        pairs = [((r.note.gold["em"]["mdm"][key]), r.prediction.mdm.get(key)) for r in results]
        rank = {v: i for i, v in enumerate(values)}
        higher = sum(1 for g, p in pairs if p in rank and rank[p] > rank[g])
        lower = sum(1 for g, p in pairs if p in rank and rank[p] < rank[g])
        odd = sum(1 for _, p in pairs if p not in rank)
        agree = sum(1 for g, p in pairs if g == p)
        cols = list(values) + (["(other/missing)"] if odd else [])
        grid = [
            [escape(g)]
            + [
                str(sum(1 for gg, p in pairs if gg == g and (p == c or (c not in rank and p not in rank))))
                for c in cols
            ]
            for g in values
        ]
        parts.append(
            f"<h3>{escape(key)}</h3><p>exact {agree}/{len(pairs)}; predicted higher {higher}, "
            f"lower {lower}, missing or unknown {odd}</p>" + _table(["gold \\ predicted", *cols], grid)
        )
    return "".join(parts)


def _top(counts: Counter) -> str:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CODES]
    return ", ".join(f"{escape(k)} ({v})" for k, v in ranked) or "-"


def _code_section(results: list[NoteResult], m: dict) -> str:
    out = []
    for name, gold_of, pred_of in (
        ("ICD-10-CM", lambda r: r.note.gold["icd10cm"], lambda r: r.prediction.icd10cm),
        ("CPT", lambda r: r.note.gold["cpt"], lambda r: r.prediction.cpt),
    ):
        tp, fp, fn = Counter(), Counter(), Counter()
        for r in results:
            g, p = {c.upper() for c in gold_of(r)}, {c.upper() for c in pred_of(r)}
            tp.update(g & p)
            fp.update(p - g)
            fn.update(g - p)
        key = "icd10cm" if name == "ICD-10-CM" else "cpt"
        rows = [
            [
                fmt(m[key]["precision"]),
                fmt(m[key]["recall"]),
                fmt(m[key]["f1"]),
                str(sum(tp.values())),
                str(sum(fp.values())),
                str(sum(fn.values())),
            ]
        ]
        out.append(
            f"<h3>{name}</h3>"
            + _table(["precision", "recall", "F1", "TP", "FP", "FN"], rows)
            + f"<p>most often missed (gold, not predicted): {_top(fn)}</p>"
            + f"<p>most often added (predicted, not gold): {_top(fp)}</p>"
        )
    i = m["icd10cm"]
    out.append(
        f"<p>ICD-10-CM first-listed exact {fmt(i['first_listed_exact'])}; category F1 "
        f"{fmt(i['category_f1'])}. Gaps precision / recall / F1: "
        f"{' / '.join(fmt(m['gaps'][k]) for k in ('precision', 'recall', 'f1'))}</p>"
    )
    return "".join(out)


def _differences(r: NoteResult) -> list[tuple[str, str, str]]:
    g, p = r.note.gold, r.prediction
    diffs = []
    if g["em"]["code"] != p.em_code:
        diffs.append(
            (
                "E/M code",
                str(g["em"]["code"]),
                f"{p.em_code} ({compare_em(g['em']['code'], p.em_code).direction})",
            )
        )
    for key in ELEMENT_VALUES:
        if g["em"]["mdm"][key] != p.mdm.get(key):
            diffs.append((f"MDM {key}", g["em"]["mdm"][key], str(p.mdm.get(key))))
    pairs = [("ICD-10-CM", g["icd10cm"], p.icd10cm, True), ("CPT", g["cpt"], p.cpt, True)]
    if "gaps" in g:
        pairs.append(("gaps", g["gaps"], p.gaps, False))
    for name, gl, pl, upper in pairs:
        norm = (lambda c: c.upper()) if upper else (lambda c: c)
        if {norm(c) for c in gl} != {norm(c) for c in pl}:
            diffs.append((name, ", ".join(gl) or "-", ", ".join(pl) or "-"))
        elif name == "ICD-10-CM" and gl and (not pl or pl[0].upper() != gl[0].upper()):
            diffs.append(("ICD-10-CM first-listed", gl[0], pl[0] if pl else "-"))
    return diffs


def _quote(text: str, start: int, end: int) -> str:
    if not span_ok(start, end, len(text)):
        return f"<span class=bad>[{start}:{end}] outside the note ({len(text)} characters)</span>"
    q = text[start:end]
    q = q if len(q) <= MAX_QUOTE else q[:MAX_QUOTE] + "…"
    return f"[{start}:{end}] <q>{escape(q)}</q>"


def _note_section(r: NoteResult) -> str | None:
    diffs = _differences(r)
    sugg = r.prediction.suggestions
    missed = [el for el in r.note.elements or () if not element_recalled(el.occurrences, el.element, sugg)]
    if not diffs and not missed and not r.error:
        return None
    parts = [f"<section><h3 id='{escape(r.note.id)}'>{escape(r.note.id)}</h3>"]
    if r.error:
        parts.append(f"<p class=bad>{escape(r.error)}</p>")
    if diffs:
        parts.append(
            _table(["", "gold", "predicted"], [[escape(a), escape(b), escape(c)] for a, b, c in diffs])
        )
    parts.append(f"<p><b>why (system):</b> {escape(r.prediction.summary) or '-'}</p>")
    if sugg:
        items = []
        for s in sugg:
            what = f"{s.kind}{'/' + s.element if s.element else ''} <b>{escape(s.label)}</b>"
            quotes = (
                "<br>".join(_quote(r.note.text, sp.start, sp.end) for sp in s.spans)
                or "<i>no evidence cited</i>"
            )
            items.append(f"<li>{what}: {escape(s.explanation)}<br>{quotes}</li>")
        parts.append(
            "<details><summary>evidence the system used "
            f"({len(sugg)} suggestions)</summary><ul>{''.join(items)}</ul></details>"
        )
    if missed:
        quoted = "".join(
            f"<li>elements[{el.index}] {escape(el.element)}/{escape(el.label)}: "
            f"{_quote(r.note.text, *el.occurrences[0])}</li>"
            for el in missed
        )
        parts.append(f"<p>gold elements without overlapping evidence of the same kind:</p><ul>{quoted}</ul>")
    return "".join(parts) + "</section>"


STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.4}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "td,th{border:1px solid #bbb;padding:2px 8px;text-align:left}"
    "q{background:#ffd}.bad{color:#b00}section{border-top:1px solid #ddd;margin-top:1em}"
)


def write_report(run: EvalRun, out_dir: Path) -> Path:
    """Write index.html, confusion_matrix.png and metrics.json into `out_dir`; return index.html's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = to_json(run, per_note=True)
    (out_dir / "metrics.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    write_confusion_png(run.results, out_dir / "confusion_matrix.png")
    m = run.metrics
    issues = "".join(
        f"<li><b>{escape(t)}</b> {escape(i.file)}: {escape(i.reason)}</li>"
        for t, lst in (("error", run.errors), ("warning", run.warnings))
        for i in lst
    )
    notes = [s for s in (_note_section(r) for r in run.results) if s]
    folder = escape(str(run.folder))
    counts = f"{m['notes']} notes evaluated, {run.files_skipped} files skipped, {len(run.warnings)} warnings"
    rows = [[escape(a), escape(b)] for a, b in summary_rows(m)]
    html = "".join(
        [
            "<!doctype html><html><head><meta charset='utf-8'>",
            f"<title>emcoder eval: {folder}</title><style>{STYLE}</style></head><body>",
            f"<h1>emcoder evaluation</h1><p>corpus <code>{folder}</code>; ",
            f"emcoder {escape(str(data['version']))}; {counts}. ",
            "This report quotes the notes: it contains protected health information.</p>",
            "<h2>Metrics</h2>",
            _table(["metric", "value"], rows),
            "<details><summary>definitions</summary>",
            f"<pre>{escape(metrics_module.__doc__ or '')}</pre></details>",
            "<h2>E/M confusion matrix</h2>",
            "<img src='confusion_matrix.png' alt='E/M confusion matrix per family'>",
            "<h2>Per-element agreement (MDM)</h2>",
            _element_section(run.results),
            "<h2>Codes</h2>",
            _code_section(run.results, m),
            f"<h2>Errors and warnings</h2><ul>{issues or '<li>none</li>'}</ul>",
            f"<h2>Disagreements ({len(notes)} notes)</h2>",
            "".join(notes) or "<p>none</p>",
            "</body></html>\n",
        ]
    )
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return index
