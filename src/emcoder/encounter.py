"""The encounter context a coder knows from the schedule (setting, patient type, payer, date)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from pydantic import BaseModel, ConfigDict, field_validator, model_validator


class Setting(str, Enum):
    office = "office"
    telehealth = "telehealth"
    ed = "ed"
    hospital_initial = "hospital_initial"
    hospital_subsequent = "hospital_subsequent"
    hospital_discharge = "hospital_discharge"
    consult_office = "consult_office"
    consult_inpatient = "consult_inpatient"
    nursing_initial = "nursing_initial"
    nursing_subsequent = "nursing_subsequent"
    home = "home"


class PatientType(str, Enum):
    new = "new"
    established = "established"


class Payer(str, Enum):
    commercial = "commercial"
    medicare = "medicare"
    medicaid = "medicaid"
    other = "other"


SETTINGS_WITH_PATIENT_TYPE = {Setting.office, Setting.telehealth, Setting.home}


class Encounter(BaseModel):
    """Caller-supplied context. Any field may be None: the analyzer then infers it from the note
    and flags the inference (see `Analysis.inferences`)."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    setting: Setting | None = None
    patient: PatientType | None = None
    payer: Payer | None = None
    date_of_service: dt.date | None = None

    @field_validator("date_of_service", mode="before")
    @classmethod
    def _parse_date(cls, value: object) -> object:
        if isinstance(value, str) and value.strip() == "":
            return None
        return value

    @model_validator(mode="after")
    def _patient_only_where_it_applies(self) -> "Encounter":
        if self.setting is not None and self.setting not in SETTINGS_WITH_PATIENT_TYPE:
            self.patient = None
        return self
