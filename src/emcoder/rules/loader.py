"""Load, validate and fingerprint the rule set.

Every file under `rules/data/` is YAML with a header (schema_version, kind, ruleset_version,
effective_date, source) and a body validated by the schema for its kind; regular expressions are
compiled at load so a broken pattern fails at start-up, not on a patient's note. The rule set's
version and a sha256 over all files are stamped on every analysis.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ValidationError

from emcoder.errors import RuleValidationError
from emcoder.rules import schema as s

FILE_KINDS: dict[str, type[s.Header]] = {
    "mdm_table": s.MdmTableFile,
    "em_families": s.EmFamiliesFile,
    "sections": s.SectionsFile,
    "drugs": s.DrugsFile,
    "tests": s.TestsFile,
    "data_cues": s.DataCuesFile,
    "problems": s.ProblemsFile,
    "risk_cues": s.RiskCuesFile,
    "context_rules": s.ContextRulesFile,
    "time": s.TimeFile,
    "no_em": s.NoEmFile,
    "icd10_synonyms": s.IcdSynonymsFile,
    "procedures": s.ProceduresFile,
    "gaps": s.GapsFile,
}


@dataclass(frozen=True)
class RuleSet:
    """All rule files of one version, validated."""

    version: str
    sha256: str
    mdm: s.MdmTableFile
    families: s.EmFamiliesFile
    sections: s.SectionsFile
    drugs: s.DrugsFile
    tests: s.TestsFile
    data_cues: s.DataCuesFile
    problems: s.ProblemsFile
    risk_cues: s.RiskCuesFile
    context: s.ContextRulesFile
    time: s.TimeFile
    no_em: s.NoEmFile
    icd10: s.IcdSynonymsFile
    procedures: s.ProceduresFile
    gaps: s.GapsFile
    files: tuple[str, ...]


def _iter_patterns(obj: Any) -> Iterable[str]:
    """Every regex in a validated model (fields named pattern/patterns/exclude/requires/...)."""
    if isinstance(obj, BaseModel):
        for name, value in obj:
            if name in {"patterns", "exclude", "requires", "cues", "excluded", "counseling_only",
                        "not_a_test_context", "unless"}:
                yield from value
            elif name in ("pattern", "cue", "trigger", "views", "performed", "not_performed", "region", "elsewhere", "relationship") \
                    and isinstance(value, str):
                yield value
            else:
                yield from _iter_patterns(value)
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            if isinstance(item, BaseModel):
                yield from _iter_patterns(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _iter_patterns(item)


def parse_rule_file(name: str, raw: bytes) -> s.Header:
    """Validate one rule file; raise RuleValidationError naming the file and the reason."""
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise RuleValidationError(name, f"not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise RuleValidationError(name, "top level must be a mapping")
    kind = data.get("kind")
    model = FILE_KINDS.get(kind)
    if model is None:
        raise RuleValidationError(name, f"unknown kind {kind!r}; expected one of {sorted(FILE_KINDS)}")
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RuleValidationError(name, f"{where}: {first['msg']}") from None
    for pattern in _iter_patterns(parsed):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RuleValidationError(name, f"bad regular expression {pattern!r}: {exc}") from None
    return parsed


def _read_files(directory: Path | None) -> list[tuple[str, bytes]]:
    if directory is not None:
        return sorted((p.name, p.read_bytes()) for p in Path(directory).glob("*.yaml"))
    root = resources.files("emcoder.rules") / "data"
    return sorted((p.name, p.read_bytes()) for p in root.iterdir() if p.name.endswith(".yaml"))


def load_ruleset_from(directory: Path | None = None) -> RuleSet:
    """Load every rule file (the bundled set, or a directory of overrides for testing)."""
    files = _read_files(directory)
    digest = hashlib.sha256()
    by_kind: dict[str, s.Header] = {}
    versions: set[str] = set()
    for name, raw in files:
        parsed = parse_rule_file(name, raw)
        if parsed.kind in by_kind:
            raise RuleValidationError(name, f"second file of kind {parsed.kind!r}")
        by_kind[parsed.kind] = parsed
        versions.add(parsed.ruleset_version)
        digest.update(name.encode() + b"\0" + raw + b"\0")
    missing = sorted(set(FILE_KINDS) - set(by_kind))
    if missing:
        raise RuleValidationError(str(directory or "bundled rules"), f"missing rule files of kind {missing}")
    if len(versions) != 1:
        raise RuleValidationError(str(directory or "bundled rules"), f"mixed ruleset versions {sorted(versions)}")
    return RuleSet(
        version=versions.pop(),
        sha256=digest.hexdigest(),
        mdm=by_kind["mdm_table"],  # type: ignore[arg-type]
        families=by_kind["em_families"],  # type: ignore[arg-type]
        sections=by_kind["sections"],  # type: ignore[arg-type]
        drugs=by_kind["drugs"],  # type: ignore[arg-type]
        tests=by_kind["tests"],  # type: ignore[arg-type]
        data_cues=by_kind["data_cues"],  # type: ignore[arg-type]
        problems=by_kind["problems"],  # type: ignore[arg-type]
        risk_cues=by_kind["risk_cues"],  # type: ignore[arg-type]
        context=by_kind["context_rules"],  # type: ignore[arg-type]
        time=by_kind["time"],  # type: ignore[arg-type]
        no_em=by_kind["no_em"],  # type: ignore[arg-type]
        icd10=by_kind["icd10_synonyms"],  # type: ignore[arg-type]
        procedures=by_kind["procedures"],  # type: ignore[arg-type]
        gaps=by_kind["gaps"],  # type: ignore[arg-type]
        files=tuple(name for name, _ in files),
    )


@lru_cache(maxsize=1)
def load_ruleset() -> RuleSet:
    """The bundled rule set, loaded once per process."""
    return load_ruleset_from(None)
