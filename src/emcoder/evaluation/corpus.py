"""Read and check a gold corpus folder (`emcoder.gold/1`, see gold-format.md).

Every `<id>.gold.json` in the folder (not recursive, sorted by file name) is paired with
`<id>.txt`; a `.txt` without a `.gold.json` and any other file are ignored. A file that cannot
be evaluated (JSON that does not parse, a schema error, a missing or unreadable `.txt`, a `.txt`
that is not UTF-8) becomes a fatal `FileIssue` and the rest of the corpus still runs. An `id`
that differs from the file stem, an element quote that is not in the note, and `start`/`end`
offsets that do not delimit the quote are warnings: the note is still evaluated.

The note text is the `.txt` bytes decoded as UTF-8 (a leading byte-order mark is dropped, line
endings are kept as they are), so offsets in predictions and gold refer to the same characters.
Issue reasons never contain note text, and schema messages never echo values from the gold
file (gold quotes are note text): they give the JSON path and the rule that failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

GOLD_SUFFIX = ".gold.json"
MAX_SCHEMA_MESSAGES = 5


@dataclass(frozen=True)
class FileIssue:
    """A problem with one file of the corpus; `fatal` means the note was not evaluated."""

    file: str
    reason: str
    fatal: bool


@dataclass(frozen=True)
class GoldElement:
    """A gold MDM element whose quote was found in the note, with where it is."""

    index: int  # position in the gold file's "elements" list
    element: str  # problem, data or risk
    label: str
    occurrences: tuple[tuple[int, int], ...]  # (start, end) character offsets, end exclusive


@dataclass(frozen=True)
class GoldNote:
    """One evaluable note: its gold labels and its text."""

    id: str  # the file stem
    file: str  # the gold file's name
    gold: dict[str, Any] = field(repr=False)
    text: str = field(repr=False)
    elements: tuple[GoldElement, ...] | None  # None when the gold file has no "elements" key


@lru_cache(maxsize=1)
def gold_schema() -> dict[str, Any]:
    """The bundled `gold.schema.json`."""
    return json.loads((resources.files(__package__) / "gold.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(gold_schema())


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "integer" if isinstance(value, int) else "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def _describe(err: jsonschema.ValidationError) -> str:
    """One schema error as `path: rule`, without the offending value."""
    rule, expected, value = err.validator, err.validator_value, err.instance
    if rule == "required":
        missing = [k for k in expected if isinstance(value, dict) and k not in value]
        what = f"missing required key {', '.join(repr(k) for k in missing)}"
    elif rule == "type":
        what = f"must be of type {expected} (found {_json_type(value)})"
    elif rule == "enum":
        what = f"must be one of {', '.join(json.dumps(v) for v in expected)}"
    elif rule == "const":
        what = f"must be {json.dumps(expected)}"
    elif rule == "pattern":
        what = f"does not match the pattern {expected}"
    elif rule == "minLength":
        what = f"must be at least {expected} character(s) long"
    elif rule == "minimum":
        what = f"must be >= {expected}"
    else:
        what = f"fails the schema rule '{rule}'"
    return f"{err.json_path} {what}"


def validate_gold(data: Any) -> list[str]:
    """Schema errors of a parsed gold file, each as `JSON path + rule`, sorted; empty when valid."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: (e.json_path, str(e.validator)))
    return [_describe(e) for e in errors]


def _occurrences(text: str, quote: str) -> tuple[tuple[int, int], ...]:
    found, i = [], text.find(quote)
    while i >= 0:
        found.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    return tuple(found)


def _elements(
    gold: dict[str, Any], text: str, gold_file: str, txt_file: str, issues: list[FileIssue]
) -> tuple[GoldElement, ...] | None:
    if "elements" not in gold:
        return None
    kept = []
    for i, el in enumerate(gold["elements"]):
        quote, start, end = el["quote"], el.get("start"), el.get("end")
        where = f"elements[{i}]"
        if start is not None and end is not None:
            start, end = int(start), int(end)
            if 0 <= start < end <= len(text) and text[start:end] == quote:
                kept.append(GoldElement(i, el["element"], el["label"], ((start, end),)))
                continue
            issues.append(
                FileIssue(
                    gold_file,
                    f"{where}: start/end {start}-{end} do not delimit the quote "
                    f"({len(quote)} characters); using where the quote occurs",
                    False,
                )
            )
        elif start is not None or end is not None:
            issues.append(
                FileIssue(
                    gold_file, f"{where}: only one of start/end given; using where the quote occurs", False
                )
            )
        occ = _occurrences(text, quote)
        if occ:
            kept.append(GoldElement(i, el["element"], el["label"], occ))
        else:
            issues.append(
                FileIssue(
                    gold_file,
                    f"{where}: quote ({len(quote)} characters) not found in "
                    f"{txt_file}; element skipped for evidence_recall",
                    False,
                )
            )
    return tuple(kept)


def load_note(gold_path: Path) -> tuple[GoldNote | None, list[FileIssue]]:
    """Read and check one gold file and its `.txt`; the note is None when it cannot be evaluated."""
    name = gold_path.name
    stem = name[: -len(GOLD_SUFFIX)]
    txt_name = stem + ".txt"
    try:
        raw = gold_path.read_bytes()
    except OSError as exc:
        return None, [FileIssue(name, f"cannot read: {exc.strerror or type(exc).__name__}", True)]
    try:
        gold = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return None, [FileIssue(name, f"not valid UTF-8 (first bad byte at offset {exc.start})", True)]
    except json.JSONDecodeError as exc:
        return None, [
            FileIssue(name, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", True)
        ]
    except (ValueError, RecursionError) as exc:
        return None, [FileIssue(name, f"invalid JSON ({type(exc).__name__})", True)]
    errors = validate_gold(gold)
    if errors:
        more = f"; and {len(errors) - MAX_SCHEMA_MESSAGES} more" if len(errors) > MAX_SCHEMA_MESSAGES else ""
        return None, [FileIssue(name, "schema: " + "; ".join(errors[:MAX_SCHEMA_MESSAGES]) + more, True)]
    issues: list[FileIssue] = []
    if gold["id"] != stem:
        issues.append(FileIssue(name, f"id {gold['id']!r} differs from the file stem {stem!r}", False))
    txt_path = gold_path.with_name(txt_name)
    if not txt_path.is_file():
        return None, [*issues, FileIssue(txt_name, f"missing: {name} has no {txt_name} beside it", True)]
    try:
        text = txt_path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return None, [
            *issues,
            FileIssue(txt_name, f"cannot read: {exc.strerror or type(exc).__name__}", True),
        ]
    except UnicodeDecodeError as exc:
        return None, [
            *issues,
            FileIssue(txt_name, f"not valid UTF-8 (first bad byte at offset {exc.start})", True),
        ]
    elements = _elements(gold, text, name, txt_name, issues)
    return GoldNote(id=stem, file=name, gold=gold, text=text, elements=elements), issues


def gold_files(folder: Path) -> list[Path]:
    """The `*.gold.json` files of a folder, sorted by name."""
    return sorted(
        (p for p in folder.iterdir() if p.name.endswith(GOLD_SUFFIX) and not p.is_dir()), key=lambda p: p.name
    )


def load_corpus(folder: Path) -> tuple[list[GoldNote], list[FileIssue]]:
    """Every evaluable note of a folder (sorted by file name) and every issue found."""
    if not folder.is_dir():
        return [], [FileIssue(str(folder), "not a folder", True)]
    notes: list[GoldNote] = []
    issues: list[FileIssue] = []
    for path in gold_files(folder):
        note, found = load_note(path)
        issues.extend(found)
        if note is not None:
            notes.append(note)
    return notes, issues
