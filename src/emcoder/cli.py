"""The `emcoder` command: code a note, evaluate a gold corpus, show the rule set."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Optional

import typer

from emcoder import __version__
from emcoder.errors import EmcoderError, InputError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="emcoder: evidence-backed E/M levels and code suggestions from clinical notes.")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"emcoder: {message}", err=True)
    raise typer.Exit(code)


def example_note() -> str:
    return (resources.files("emcoder") / "examples" / "office_followup.txt").read_text(encoding="utf-8")


@app.command()
def code(
    note: Optional[Path] = typer.Argument(None, help="Note file (UTF-8). '-' reads standard input."),
    setting: Optional[str] = typer.Option(None, help="office, telehealth, ed, hospital_initial, ..."),
    patient: Optional[str] = typer.Option(None, help="new or established (office, telehealth, home)"),
    payer: Optional[str] = typer.Option(None, help="commercial, medicare, medicaid, other"),
    date: Optional[str] = typer.Option(None, "--date", help="date of service, YYYY-MM-DD"),
    example: bool = typer.Option(False, "--example", help="analyze the bundled example note"),
    as_json: bool = typer.Option(False, "--json", help="print the Analysis as one JSON object"),
) -> None:
    """Analyze one note: MDM grid with evidence, time, the recommended E/M code and why."""
    from emcoder.analyzer import analyze
    from emcoder.note_input import decode_note
    from emcoder.render import render_text

    if example:
        text = example_note()
    elif note is None:
        _fail("give a note file, '-' for standard input, or --example")
        return
    else:
        try:
            raw = sys.stdin.buffer.read() if str(note) == "-" else note.read_bytes()
        except OSError as exc:
            _fail(f"cannot read {note}: {exc.strerror}")
            return
        try:
            text = decode_note(raw, field=str(note))
        except InputError as exc:
            _fail(exc.message)
            return
    encounter = {k: v for k, v in {"setting": setting, "patient": patient, "payer": payer,
                                   "date_of_service": date}.items() if v is not None}
    try:
        analysis = analyze(text, encounter)
    except EmcoderError as exc:
        _fail(exc.message)
        return
    if as_json:
        typer.echo(analysis.model_dump_json(indent=2))
    else:
        typer.echo(render_text(analysis))


@app.command("eval")
def evaluate(
    folder: Path = typer.Argument(..., help="A folder of <id>.txt + <id>.gold.json (emcoder.gold/1)."),
    as_json: bool = typer.Option(False, "--json", help="print the metrics object of the gold-format spec"),
    report: Optional[Path] = typer.Option(None, "--report", help="write an auditor's report into this folder"),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="progress bar on stderr"),
) -> None:
    """Replay a gold corpus and print agreement metrics."""
    from emcoder.evaluation.adapter import predict
    from emcoder.evaluation.runner import format_summary, run_eval, to_json

    if not folder.is_dir():
        _fail(f"{folder} is not a folder")
    show = sys.stderr.isatty() if progress is None else progress
    run = run_eval(folder, predict, progress=show)
    if report is not None:
        from emcoder.evaluation.report import write_report

        write_report(run, report)
    if as_json:
        typer.echo(json.dumps(to_json(run), indent=2, sort_keys=False))
    else:
        typer.echo(format_summary(run))
        if report is not None:
            typer.echo(f"report written to {report}")


@app.command()
def rules() -> None:
    """Show the loaded rule set: version, hash and files."""
    from emcoder.rules import load_ruleset

    try:
        rs = load_ruleset()
    except EmcoderError as exc:
        _fail(exc.message)
        return
    typer.echo(f"ruleset {rs.version}  sha256 {rs.sha256}")
    for name in rs.files:
        typer.echo(f"  {name}")


icd10_app = typer.Typer(help="ICD-10-CM code sets and the dense retrieval index.", no_args_is_help=True)
app.add_typer(icd10_app, name="icd10")


@icd10_app.command("info")
def icd10_info() -> None:
    """Which ICD-10-CM releases are known and bundled, and the state of each dense index."""
    from emcoder.icd10.codeset import available_releases
    from emcoder.icd10.dense import MANIFEST_FILE, index_dir

    for release, present in available_releases():
        manifest = index_dir(release.id) / MANIFEST_FILE
        dense = json.loads(manifest.read_text()) if manifest.exists() else None
        typer.echo(f"{release.id}: {release.effective_from} to {release.effective_to}; "
                   f"{'bundled' if present else 'NOT bundled'}; {release.note}")
        if dense:
            typer.echo(f"  dense index: {dense['codes']} codes, {dense['size_bytes'] / 1e6:.1f} MB, "
                       f"built in {dense['build_seconds']} s, sha256 {dense['sha256'][:12]}")


@icd10_app.command("build-index")
def icd10_build_index(release: str = typer.Option("FY2026", help="release id from releases.yaml")) -> None:
    """Embed every billable code of a release with the bundled MiniLM model (a few minutes on CPU)."""
    from emcoder.icd10.codeset import _load
    from emcoder.icd10.dense import build_index

    try:
        codeset = _load(release)
    except KeyError:
        _fail(f"release {release} is not bundled")
        return
    manifest = build_index(codeset)
    typer.echo(json.dumps(manifest, indent=2))


def _register_service_commands() -> None:
    """`emcoder serve`, `emcoder token create`, `emcoder audit verify` (the review API)."""
    try:
        from emcoder_api.cli import audit_verify, serve, token_create
    except ImportError:  # pragma: no cover - the API package ships in the same wheel
        return
    app.command("serve")(serve)
    token_app = typer.Typer(help="API tokens (stored hashed; the secret is shown once).", no_args_is_help=True)
    token_app.command("create")(token_create)
    app.add_typer(token_app, name="token")
    audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
    audit_app.command("verify")(audit_verify)
    app.add_typer(audit_app, name="audit")


_register_service_commands()


@app.command()
def version() -> None:
    """Print the emcoder version."""
    typer.echo(__version__)


def main() -> None:  # pragma: no cover
    app()
