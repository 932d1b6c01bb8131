"""Request and response models of the HTTP API, separate from storage (`models.py`).

Requests forbid unknown keys; free text refuses NUL characters and lone surrogates (neither can
be stored, and both would otherwise surface as database errors).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from emcoder.encounter import Encounter as EncounterContext

Role = Literal["physician", "coder", "auditor", "admin"]
ItemKind = Literal["em", "cpt", "addon", "icd10cm", "query"]
ItemStatus = Literal["pending", "accepted", "rejected", "modified", "superseded"]
EncounterStatus = Literal["in_review", "ready", "released"]
Action = Literal["accept", "reject", "modify"]


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from None
    return value


Text = Annotated[str, AfterValidator(_storable)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None
    items: list[str] | None = Field(None, description="unresolved item ids (release refused)")
    details: list[dict[str, str]] | None = Field(None, description="each invalid field (request validation)")


class ErrorResponse(BaseModel):
    error: ErrorDetail


# --- requests -------------------------------------------------------------------------------

class EncounterCreate(Request):
    note: str = Field(description="the clinical note, UTF-8 text (stored once, encrypted when a key is set)")
    encounter: EncounterContext = Field(default_factory=EncounterContext)


class VersionCreate(Request):
    note: str = Field(description="the edited note")
    encounter: EncounterContext | None = Field(None, description="default: the previous version's context")


class DecisionCreate(Request):
    action: Action
    reason: Text | None = Field(None, max_length=2000, description="required for reject and modify")
    replacement_code: Text | None = Field(None, max_length=40, description="required for modify")


class ItemCreate(Request):
    kind: Literal["icd10cm", "cpt"]
    code: Text = Field(max_length=40)
    reason: Text = Field(min_length=1, max_length=2000)


class TokenCreate(Request):
    role: Role
    name: Text = Field(min_length=1, max_length=200)


# --- responses ------------------------------------------------------------------------------

class EvidenceOut(BaseModel):
    start: int
    end: int
    section: str | None = None
    text: str


class DecisionOut(BaseModel):
    id: str
    action: Action | Literal["add"]
    reason: str | None
    replacement_code: str | None
    decided_by: str
    decided_at: dt.datetime


class ItemOut(BaseModel):
    id: str
    version: int
    kind: ItemKind
    code: str | None
    label: str
    rationale: str | None
    evidence: list[EvidenceOut]
    rule_id: str | None
    draft: dict[str, Any] | None = Field(None, description="kind=query: the draft provider query "
                                         "(question, format, options)")
    origin: Literal["system", "coder"]
    status: ItemStatus
    final_code: str | None
    ruleset_version: str
    ruleset_sha256: str
    created_at: dt.datetime
    decisions: list[DecisionOut]


class VersionSummary(BaseModel):
    number: int
    created_at: dt.datetime
    created_by: str
    note_sha256: str
    emcoder_version: str
    ruleset_version: str
    ruleset_sha256: str


class EncounterSummary(BaseModel):
    id: str
    status: EncounterStatus
    submitted_by: str
    coder: str | None
    date_of_service: dt.date | None
    setting: str | None
    current_version: int
    created_at: dt.datetime
    released_at: dt.datetime | None
    released_by: str | None


class EncounterDetail(EncounterSummary):
    version: int = Field(description="the version shown below")
    versions: list[VersionSummary]
    note: str
    analysis: dict[str, Any] = Field(description="emcoder.results.Analysis as JSON")
    items: list[ItemOut]


class EncounterPage(BaseModel):
    data: list[EncounterSummary]
    count: int
    limit: int
    offset: int


class FinalCode(BaseModel):
    item_id: str
    kind: ItemKind
    code: str
    origin: Literal["system", "coder"]
    suggested_code: str | None = Field(description="what the system suggested, when the coder modified it")
    status: ItemStatus


class FinalQuery(BaseModel):
    item_id: str
    label: str
    draft: dict[str, Any] | None


class ExportOut(BaseModel):
    encounter_id: str
    version: int
    date_of_service: dt.date | None
    released_at: dt.datetime
    released_by: str
    emcoder_version: str
    ruleset_version: str
    ruleset_sha256: str
    em: list[str]
    cpt: list[str]
    icd10cm: list[str]
    codes: list[FinalCode]
    queries: list[FinalQuery]


class TokenOut(BaseModel):
    id: str
    name: str
    role: Role
    tenant: str
    created_at: dt.datetime
    created_by: str | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="the secret: shown once, stored only as its sha256")


class AuditRecordOut(BaseModel):
    id: int
    at: str
    token_id: str | None
    actor: str
    role: str
    tenant: str
    action: str
    target: str
    before: Any
    after: Any
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    data: list[AuditRecordOut]
    count: int
    limit: int
    offset: int


class AuditVerdict(BaseModel):
    intact: bool
    count: int
    broken_id: int | None
    reason: str | None


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    database: Literal["ok"]
