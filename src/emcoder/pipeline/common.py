"""Helpers shared by the pipeline components: Doc extensions, compiled cue groups, evidence."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span

from emcoder.results import Evidence, MDMItem
from emcoder.rules.schema import PatternGroup

DOC_EXTENSIONS = {
    "emcoder_sections": None,        # list[SectionSpan]
    "emcoder_items": None,           # list[MDMItem]
    "emcoder_problem_blocks": None,  # list[ProblemBlock]
    "emcoder_time": None,            # TimeFinding | None
    "emcoder_no_em": None,           # str | None: why no E/M is billable
    "emcoder_procedures": None,      # list[ProcedureFinding]
}
SPAN_EXTENSIONS = {"emcoder_assertion": "present", "emcoder_kind": None, "emcoder_concept": None}


def register_extensions() -> None:
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


def items_of(doc: Doc) -> list[MDMItem]:
    if doc._.emcoder_items is None:
        doc._.emcoder_items = []
    return doc._.emcoder_items


# Management that applies only if something happens later is not a decision made today.
CONDITIONAL = re.compile(r"\b(if|should (she|he|they|symptoms|pain|it)|in case|unless|consider(ing)?|may need|might need|"
                         r"could (consider|need)|would (consider|need)|possibly|potential(ly)?|discussed the option|"
                         r"in the future|down the road|at that time)\b", re.I)
PATIENT_REPORTED = re.compile(r"\b(patient|he|she|they) (reports?|reported|states?|stated|says|said|notes?|noted)\b", re.I)


@dataclass(frozen=True)
class SectionSpan:
    category: str
    role: str
    start: int  # char offset of the section (title included)
    end: int
    title: str | None


@dataclass(frozen=True)
class CueGroup:
    """A PatternGroup compiled once: `search` finds a match not cancelled by an exclusion."""

    id: str
    patterns: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]

    def search(self, text: str) -> re.Match[str] | None:
        if any(x.search(text) for x in self.exclude):
            return None
        for pattern in self.patterns:
            match = pattern.search(text)
            if match:
                return match
        return None


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def compile_group(group: PatternGroup) -> CueGroup:
    return CueGroup(group.id, tuple(compile_pattern(p) for p in group.patterns),
                    tuple(compile_pattern(p) for p in group.exclude))


def compile_all(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(compile_pattern(p) for p in patterns)


def any_match(patterns: Iterable[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


def section_at(doc: Doc, char: int) -> SectionSpan | None:
    for section in doc._.emcoder_sections or ():
        if section.start <= char < section.end:
            return section
    return None


def evidence(doc: Doc, start: int, end: int) -> Evidence:
    """Evidence for note[start:end], trimmed of surrounding white space and bullets."""
    text = doc.text
    while start < end and (text[start].isspace() or text[start] in "•-*"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    section = section_at(doc, start)
    return Evidence(start=start, end=end, text=text[start:end], section=section.category if section else None)


def sents_of(doc: Doc) -> list[Span]:
    """The doc's sentences, computed once (spaCy rebuilds `doc.sents` on every access)."""
    cached = doc.user_data.get("emcoder_sents")
    if cached is None:
        cached = list(doc.sents)
        doc.user_data["emcoder_sents"] = cached
        doc.user_data["emcoder_sent_starts"] = [s.start_char for s in cached]
    return cached


def sent_of(doc: Doc, char: int) -> Span:
    """The sentence holding character offset `char`."""
    sents = sents_of(doc)
    i = bisect.bisect_right(doc.user_data["emcoder_sent_starts"], char) - 1
    return sents[max(i, 0)]


def sentences_in(doc: Doc, start: int, end: int) -> Iterator[Span]:
    for sent in sents_of(doc):
        if sent.end_char <= start:
            continue
        if sent.start_char >= end:
            break
        yield sent


def next_id(doc: Doc, prefix: str) -> str:
    return f"{prefix}{sum(1 for i in items_of(doc) if i.id.startswith(prefix)) + 1}"
