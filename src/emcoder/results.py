"""Typed results of an analysis. Every counted item cites its evidence by character offsets."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from emcoder.encounter import Encounter

Assertion = Literal["present", "negated", "possible", "historical", "family", "hypothetical", "conditional"]
ElementName = Literal["problems", "data", "risk"]
ItemElement = Literal["problem", "data", "risk"]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(Model):
    """A span of the note: `text == note[start:end]`."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    section: str | None = None


class MDMItem(Model):
    """One problem, data item or risk item found in the note."""

    id: str
    element: ItemElement
    label: str
    description: str
    evidence: tuple[Evidence, ...]
    assertion: Assertion = "present"
    counted: bool = True
    not_counted_reason: str | None = None
    rule_id: str
    data_category: int | None = None
    unique_key: str | None = None


class ElementScore(Model):
    element: ElementName
    level: str
    rank: int = Field(ge=0, le=3)
    items: tuple[str, ...]
    rule_id: str | None
    reason: str
    next_level: str | None = None
    to_next_level: str | None = None


class MDMResult(Model):
    problems: ElementScore
    data: ElementScore
    risk: ElementScore
    level: Literal["straightforward", "low", "moderate", "high"]
    rank: int
    rule_id: str


class AddOn(Model):
    code: str
    units: int
    description: str
    rule_id: str


class TimeResult(Model):
    total_minutes: int | None
    evidence: tuple[Evidence, ...] = ()
    activities: tuple[str, ...] = ()
    code: str | None = None
    prolonged: tuple[AddOn, ...] = ()
    allowed: bool = True
    rule_id: str | None = None
    note: str


class CodeSuggestion(Model):
    code: str
    kind: Literal["em", "addon", "procedure"]
    description: str
    modifiers: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    rationale: str
    rule_id: str

    @property
    def billed_as(self) -> str:
        return "-".join((self.code, *self.modifiers))


class EMRecommendation(Model):
    code: str | None
    basis: Literal["mdm", "time"] | None
    family: str | None
    mdm_code: str | None
    time_code: str | None
    reason: str
    no_em_reason: str | None = None
    rule_id: str | None = None


class Inference(Model):
    """Encounter context the caller did not give and the analyzer inferred from the note."""

    field: str
    value: str | None
    reason: str
    evidence: tuple[Evidence, ...] = ()


class DiagnosisSuggestion(Model):
    """One ICD-10-CM code suggestion with the note text that supports it."""

    code: str
    description: str
    billable: bool
    confidence: float = Field(ge=0, le=1)
    role: Literal["first_listed", "secondary"]
    evidence: tuple[Evidence, ...]
    rationale: str
    more_specific: tuple[str, ...] = ()
    rule_id: str
    source: Literal["synonym", "lexical", "dense", "guideline"]


class DraftQuery(Model):
    """A compliant provider query: indicators quoted, a neutral question, no codes or payment."""

    format: Literal["open_ended", "multiple_choice", "yes_no"]
    question: str
    options: tuple[str, ...] = ()
    indicators: tuple[Evidence, ...]


class DocumentationGap(Model):
    id: str
    label: str
    rule_id: str
    reason: str
    query: DraftQuery


class CodingFlag(Model):
    """Over- or under-coding: the level the author selected against what the note supports."""

    kind: Literal["over_coding_risk", "under_coding"]
    selected_code: str
    supported_code: str | None
    reason: str


class Section(Model):
    category: str
    start: int
    end: int
    title: str | None


class Analysis(Model):
    emcoder_version: str
    ruleset_version: str
    ruleset_sha256: str
    encounter: Encounter
    inferences: tuple[Inference, ...]
    sections: tuple[Section, ...]
    items: tuple[MDMItem, ...]
    mdm: MDMResult
    time: TimeResult
    em: EMRecommendation
    cpt: tuple[CodeSuggestion, ...]
    icd10cm: tuple[DiagnosisSuggestion, ...] = ()
    icd10cm_release: str | None = None
    gaps: tuple[DocumentationGap, ...] = ()
    coding_flags: tuple[CodingFlag, ...] = ()
    warnings: tuple[str, ...] = ()
