"""ICD-10-CM code sets by release, chosen by date of service.

A `CodeSet` answers: is a code valid, is it billable (a leaf of the tabular), its description,
its Excludes1 notes. FY2026 comes from the `simple-icd-10-cm` package; other releases can be
dropped in as CMS code-description order files (`releases.yaml`), so a new fiscal year is a
data change, not a code change.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def normalize(code: str) -> str:
    """'e1165' / 'E11.65' -> 'E11.65' (dot after the category)."""
    raw = code.strip().upper().replace(".", "")
    return raw if len(raw) <= 3 else f"{raw[:3]}.{raw[3:]}"


@dataclass(frozen=True)
class Release:
    id: str
    effective_from: dt.date
    effective_to: dt.date
    source: dict
    note: str


@dataclass
class CodeSet:
    release: Release
    _descriptions: dict[str, str] = field(default_factory=dict, repr=False)
    _billable: set[str] = field(default_factory=set, repr=False)
    _sorted: list[str] | None = field(default=None, repr=False)

    def is_valid(self, code: str) -> bool:
        return normalize(code) in self._descriptions

    def is_billable(self, code: str) -> bool:
        return normalize(code) in self._billable

    def description(self, code: str) -> str:
        return self._descriptions.get(normalize(code), "")

    def billable_codes(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self._billable)
        return self._sorted

    def billable_with_prefix(self, prefix: str) -> list[str]:
        codes = self.billable_codes()
        i = bisect.bisect_left(codes, prefix)
        out = []
        while i < len(codes) and codes[i].startswith(prefix):
            out.append(codes[i])
            i += 1
        return out

    def inclusion_terms(self, code: str) -> list[str]:
        """Inclusion terms of the code (FY2026 package only): words the tabular lists under it."""
        if self.release.source.get("type") != "simple_icd_10_cm":
            return []
        import simple_icd_10_cm as icd

        code = normalize(code)
        return list(icd.get_inclusion_term(code)) if icd.is_valid_item(code) else []

    def excludes1(self, code: str) -> list[str]:
        """Excludes1 notes of the code and its ancestors (FY2026 package only)."""
        if self.release.source.get("type") != "simple_icd_10_cm":
            return []
        import simple_icd_10_cm as icd

        code = normalize(code)
        notes: list[str] = []
        for c in [code, *icd.get_ancestors(code)] if icd.is_valid_item(code) else []:
            notes += icd.get_excludes1(c)
        return notes


def _load_releases() -> list[Release]:
    raw = yaml.safe_load((resources.files("emcoder.icd10") / "data" / "releases.yaml").read_text())
    return [Release(r["id"], dt.date.fromisoformat(r["effective_from"]), dt.date.fromisoformat(r["effective_to"]),
                    r["source"], r.get("note", "")) for r in raw["releases"]]


def _from_package(release: Release) -> CodeSet:
    import simple_icd_10_cm as icd

    cs = CodeSet(release)
    for code in icd.get_all_codes(with_dots=True):
        if icd.is_chapter_or_block(code):
            continue
        cs._descriptions[code] = icd.get_description(code)
        if icd.is_leaf(code):
            cs._billable.add(code)
    return cs


def _from_order_file(release: Release, path: Path) -> CodeSet:
    """CMS order file: fixed columns (order no., code, billable flag, short, long description)."""
    cs = CodeSet(release)
    for line in path.read_text(encoding="latin-1").splitlines():
        if len(line) < 16:
            continue
        code = normalize(line[6:13])
        cs._descriptions[code] = line[77:].strip() or line[16:76].strip()
        if line[14] == "1":
            cs._billable.add(code)
    return cs


def available_releases() -> list[tuple[Release, bool]]:
    """Every known release and whether its files are present here."""
    out = []
    for release in _load_releases():
        if release.source["type"] == "simple_icd_10_cm":
            out.append((release, True))
        else:
            out.append((release, (PROJECT_ROOT / release.source["path"]).exists()))
    return out


@lru_cache(maxsize=4)
def _load(release_id: str) -> CodeSet:
    for release, present in available_releases():
        if release.id == release_id and present:
            if release.source["type"] == "simple_icd_10_cm":
                return _from_package(release)
            return _from_order_file(release, PROJECT_ROOT / release.source["path"])
    raise KeyError(release_id)


def codeset_for(date_of_service: dt.date | None) -> tuple[CodeSet, str | None]:
    """The code set in force on the date, or the newest bundled one with a warning."""
    releases = available_releases()
    bundled = [r for r, present in releases if present]
    newest = max(bundled, key=lambda r: r.effective_from)
    if date_of_service is None:
        return _load(newest.id), None
    for release, present in releases:
        if release.effective_from <= date_of_service <= release.effective_to:
            if present:
                return _load(release.id), None
            return _load(newest.id), (f"ICD-10-CM {release.id} is in force on {date_of_service} but is not bundled; "
                                      f"codes were checked against {newest.id}")
    return _load(newest.id), f"no ICD-10-CM release covers {date_of_service}; using {newest.id}"
