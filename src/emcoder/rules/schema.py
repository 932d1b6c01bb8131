"""Pydantic schemas of the rule files. Unknown keys are rejected so a typo fails at load."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1

PROBLEM_LABELS = (
    "minor", "acute_uncomplicated", "stable_acute", "acute_uncomplicated_inpatient", "chronic_stable",
    "chronic_exacerbation", "undiagnosed_uncertain", "acute_systemic", "acute_complicated_injury",
    "chronic_severe_exacerbation", "threat_to_life",
)
DATA_LABELS = (
    "external_notes", "test_result_reviewed", "test_ordered", "independent_historian",
    "independent_interpretation", "discussion_external",
)
RISK_LABELS = (
    "minimal", "low", "rx_management", "minor_surgery_with_risk_factors",
    "elective_major_surgery_no_risk_factors", "sdoh_limits_care", "intensive_toxicity_monitoring",
    "elective_major_surgery_with_risk_factors", "emergency_major_surgery", "hospitalization_decision",
    "dnr_or_deescalation", "parenteral_controlled_substance",
)
MDM_LEVELS = ("straightforward", "low", "moderate", "high")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Header(Strict):
    schema_version: int
    kind: str
    ruleset_version: str
    effective_date: dt.date
    source: str = Field(min_length=10)

    @model_validator(mode="after")
    def _known_schema(self) -> "Header":
        if self.schema_version != SCHEMA_VERSION:
            raise ValueError(f"schema_version {self.schema_version} is not supported (expected {SCHEMA_VERSION})")
        return self


# --- MDM table -----------------------------------------------------------------------------

class CountRequirement(Strict):
    id: str
    labels: tuple[str, ...]
    min_count: int = Field(ge=1)


class ProblemsTable(Strict):
    levels: tuple[str, ...]
    requirements: dict[str, tuple[CountRequirement, ...]]

    @model_validator(mode="after")
    def _consistent(self) -> "ProblemsTable":
        for level, reqs in self.requirements.items():
            if level not in self.levels:
                raise ValueError(f"problems: unknown level {level!r}")
            for req in reqs:
                for label in req.labels:
                    if label not in PROBLEM_LABELS:
                        raise ValueError(f"problems: unknown label {label!r} in {req.id}")
        return self


class DataLevel(Strict):
    categories_needed: int = Field(ge=1)
    categories: tuple[CountRequirement, ...]


class DataTable(Strict):
    levels: tuple[str, ...]
    requirements: dict[str, DataLevel]

    @model_validator(mode="after")
    def _consistent(self) -> "DataTable":
        for level, req in self.requirements.items():
            if level not in self.levels:
                raise ValueError(f"data: unknown level {level!r}")
            if req.categories_needed > len(req.categories):
                raise ValueError(f"data: level {level} needs more categories than it lists")
            for cat in req.categories:
                for label in cat.labels:
                    if label not in DATA_LABELS:
                        raise ValueError(f"data: unknown label {label!r} in {cat.id}")
        return self


class RiskTable(Strict):
    levels: tuple[str, ...]
    label_levels: dict[str, str]

    @model_validator(mode="after")
    def _consistent(self) -> "RiskTable":
        for label, level in self.label_levels.items():
            if label not in RISK_LABELS:
                raise ValueError(f"risk: unknown label {label!r}")
            if level not in self.levels:
                raise ValueError(f"risk: label {label} maps to unknown level {level!r}")
        return self


class Overall(Strict):
    levels: tuple[str, ...]
    rule_id: str


class MdmTableFile(Header):
    problems: ProblemsTable
    data: DataTable
    risk: RiskTable
    overall: Overall


# --- E/M families --------------------------------------------------------------------------

class EmCode(Strict):
    code: str = Field(pattern=r"^[0-9]{5}$")
    description: str
    mdm: tuple[Literal["straightforward", "low", "moderate", "high"], ...] = ()
    min_minutes: int | None = Field(default=None, ge=0)
    max_minutes: int | None = Field(default=None, ge=0)


class Prolonged(Strict):
    code: str = Field(pattern=r"^[0-9A-Z]{5}$")
    base_code: str
    first_unit_at: int = Field(ge=1)
    unit_minutes: int = Field(ge=1)
    description: str


class Family(Strict):
    id: str
    settings: tuple[str, ...]
    patient: Literal["new", "established"] | None = None
    time_allowed: bool
    time_only: bool = False
    codes: tuple[EmCode, ...]
    prolonged: dict[Literal["commercial", "medicare"], Prolonged] = {}
    # The family billed instead for Medicare (which pays no consultation codes, fact sheet 2.7).
    medicare_family: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Family":
        if not self.time_only:
            covered = [lvl for c in self.codes for lvl in c.mdm]
            if sorted(set(covered), key=MDM_LEVELS.index) != list(MDM_LEVELS) or len(covered) != len(set(covered)):
                raise ValueError(f"family {self.id}: every MDM level must map to exactly one code")
            if self.time_allowed and any(c.min_minutes is None for c in self.codes):
                raise ValueError(f"family {self.id}: time allowed but a code has no min_minutes")
            mins = [c.min_minutes for c in self.codes if c.min_minutes is not None]
            if mins != sorted(mins):
                raise ValueError(f"family {self.id}: time thresholds must rise with the level")
        for payer, rule in self.prolonged.items():
            if rule.base_code not in {c.code for c in self.codes}:
                raise ValueError(f"family {self.id}: prolonged {payer} base {rule.base_code} not in family")
        return self


class VisitComplexity(Strict):
    code: str
    description: str
    payers: tuple[Literal["commercial", "medicare", "medicaid", "other"], ...]
    families: dict[str, dt.date]
    relationship: str


class EmFamiliesFile(Header):
    families: tuple[Family, ...]
    visit_complexity: VisitComplexity


# --- Lexicons and cue files ------------------------------------------------------------------

class PatternGroup(Strict):
    """A rule: an id plus regular expressions (case-insensitive, matched within a sentence)."""

    id: str
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    note: str | None = None


class SectionDef(Strict):
    category: str
    role: Literal["history", "past", "family", "exam", "results", "procedure", "assessment", "plan", "time"]
    headers: tuple[str, ...]


class SectionsFile(Header):
    sections: tuple[SectionDef, ...]


class ToxicityDef(Strict):
    drugs: tuple[str, ...]
    tests: tuple[str, ...]


class DoseDependent(Strict):
    drugs: tuple[str, ...]
    otc_max_mg: float


class DrugsFile(Header):
    prescription: tuple[tuple[str, ...], ...]
    over_the_counter: tuple[tuple[str, ...], ...]
    toxicity_monitoring: tuple[ToxicityDef, ...]
    dose_dependent: tuple[DoseDependent, ...]
    parenteral_controlled: tuple[tuple[str, ...], ...]


class TestDef(Strict):
    id: str
    kind: Literal["lab", "imaging", "physiologic", "pathology", "procedure"]
    terms: tuple[str, ...]
    region: bool = False


class TestsFile(Header):
    tests: tuple[TestDef, ...]
    regions: tuple[str, ...]


class DataCuesFile(Header):
    order_cues: PatternGroup
    review_cues: PatternGroup
    not_a_test_context: tuple[str, ...]
    external_notes: PatternGroup
    independent_historian: PatternGroup
    independent_interpretation: PatternGroup
    discussion_external: PatternGroup


class ProblemConditions(Strict):
    chronic: tuple[tuple[str, ...], ...]
    acute: tuple[tuple[str, ...], ...]
    injury: tuple[tuple[str, ...], ...]
    symptom: tuple[tuple[str, ...], ...]
    minor: tuple[tuple[str, ...], ...]
    threat: tuple[tuple[str, ...], ...]
    preventive: tuple[tuple[str, ...], ...]


class StatusCues(Strict):
    exacerbation: PatternGroup
    exacerbation_weak: PatternGroup
    managed_elsewhere: PatternGroup
    active_cancer: PatternGroup
    red_flag: PatternGroup
    stable: PatternGroup
    severe: PatternGroup
    uncertain: PatternGroup
    systemic: PatternGroup
    complicated_injury: PatternGroup
    improving_acute: PatternGroup
    threat_workup: PatternGroup
    self_limited: PatternGroup | None = None  # optional: older rule files predate it


class Segmentation(Strict):
    block_labels: tuple[str, ...]
    skip_headings: tuple[str, ...]
    sentence_openers: tuple[str, ...]


class ProblemsFile(Header):
    conditions: ProblemConditions
    segmentation: Segmentation
    status_cues: StatusCues


class Patterns(Strict):
    patterns: tuple[str, ...]


class SurgeryCues(Strict):
    major: PatternGroup
    minor: PatternGroup
    decision: Patterns
    emergency: Patterns
    risk_factors: Patterns


class SdohCues(Strict):
    id: str
    patterns: tuple[str, ...]
    requires: tuple[str, ...]


class AdmittingNoteRule(Strict):
    id: str
    enabled: bool
    settings: tuple[str, ...]
    note: str = ""


class RiskCuesFile(Header):
    rx_decision: PatternGroup
    continue_words: tuple[str, ...]
    hospitalization: PatternGroup
    dnr: PatternGroup
    surgery: SurgeryCues
    sdoh: SdohCues
    parenteral_controlled: PatternGroup
    toxicity: PatternGroup
    low: PatternGroup
    # [?] Whether the admitting physician's initial hospital care note carries the decision
    # about hospitalization even when it does not write "admit" (the fact sheet is silent).
    admitting_note_decides_hospitalization: AdmittingNoteRule | None = None



class ContextRuleDef(Strict):
    literal: str
    category: Literal["NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HISTORICAL", "HYPOTHETICAL", "FAMILY",
                      "CONDITIONAL", "TERMINATE", "PSEUDO"]
    direction: Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"]
    pattern: list | None = None


class ContextRulesFile(Header):
    rules: tuple[ContextRuleDef, ...]


class TimeTotal(Strict):
    id: str
    patterns: tuple[str, ...]
    cues: tuple[str, ...]
    excluded: tuple[str, ...]
    counseling_only: tuple[str, ...]


class TimeActivity(Strict):
    id: str
    pattern: str


class TimeFile(Header):
    total_time: TimeTotal
    activities: tuple[TimeActivity, ...]


class NoEmRule(Strict):
    id: str
    reason: str
    patterns: tuple[str, ...]
    unless: tuple[str, ...] = ()


class NoEmFile(Header):
    rules: tuple[NoEmRule, ...]


# --- ICD-10-CM synonyms and specificity ------------------------------------------------------

class IcdVariant(Strict):
    """A more specific code when a cue appears in the problem's text (e.g. "uncontrolled")."""

    cue: str
    code: str


class IcdEntry(Strict):
    code: str = Field(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
    terms: tuple[str, ...]
    group: str | None = None  # combination logic: diabetes, hypertension, ckd, heart_failure, ...
    variants: tuple[IcdVariant, ...] = ()
    laterality: dict[Literal["right", "left", "bilateral", "unspecified"], str] = {}
    seventh: bool = False  # injury: append A (active treatment), D (subsequent), S (sequela)
    symptom: bool = False  # a sign/symptom code (R00-R99 and the like)
    anywhere: bool = False  # a status that affects care wherever the note documents it (Z95.5 stent)
    # With `anywhere`: a regular expression for the status written in free words ("underwent
    # stent placement at the right coronary artery"), read per sentence, never when hypothetical.
    status_cue: str | None = None

    @field_validator("status_cue")
    @classmethod
    def _cue_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


class LongTermDrug(Strict):
    code: str
    drugs: tuple[str, ...]


class IcdSynonymsFile(Header):
    entries: tuple[IcdEntry, ...]
    long_term_drugs: tuple[LongTermDrug, ...]


# --- Procedures and in-office tests ----------------------------------------------------------

class XrayCode(Strict):
    min_views: int = Field(ge=1)
    code: str
    description: str


class XrayRegion(Strict):
    region: str
    codes: tuple[XrayCode, ...]


class XrayRules(Strict):
    id: str
    trigger: str
    views: str
    regions: tuple[XrayRegion, ...]


class ServiceRule(Strict):
    id: str
    code: str
    trigger: str
    description: str
    modifier25: bool


class ProceduresFile(Header):
    performed: str
    elsewhere: str
    not_performed: str
    xray: XrayRules
    services: tuple[ServiceRule, ...]


# --- Documentation gaps and compliant queries -------------------------------------------------

class GapDetector(Strict):
    id: str
    label: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    format: Literal["open_ended", "multiple_choice", "yes_no"]
    question: str
    options: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _options_fit_format(self) -> "GapDetector":
        if self.format == "multiple_choice" and not self.options:
            raise ValueError(f"{self.id}: multiple choice needs options")
        if self.format != "multiple_choice" and self.options:
            raise ValueError(f"{self.id}: only multiple choice takes options")
        return self


class GapsFile(Header):
    forbidden_words: tuple[str, ...]
    other_option: str
    undetermined_option: str
    detectors: tuple[GapDetector, ...]

    @model_validator(mode="after")
    def _questions_are_clean(self) -> "GapsFile":
        for d in self.detectors:
            text = (d.question + " " + " ".join(d.options)).lower()
            for word in self.forbidden_words:
                if word in text:
                    raise ValueError(f"{d.id}: query text contains forbidden wording {word!r}")
        return self
