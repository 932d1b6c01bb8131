"""Fill in encounter context the caller did not give, from what the note says, and flag it."""

from __future__ import annotations

import re

from emcoder.encounter import SETTINGS_WITH_PATIENT_TYPE, Encounter, PatientType, Payer, Setting
from emcoder.results import Evidence, Inference

SETTING_CUES: list[tuple[Setting, re.Pattern[str]]] = [
    (Setting.hospital_discharge, re.compile(r"\bdischarge summary\b|\bdate of discharge\b|\bdischarge diagnos[ie]s\b", re.I)),
    (Setting.ed, re.compile(r"\bemergency department\b|\bED course\b|\bER course\b|\bpresents? to the (ED|ER)\b|\btriage\b", re.I)),
    (Setting.consult_inpatient, re.compile(r"\b(inpatient|hospital) consult(ation)?\b|\bconsulted by\b.*\b(hospitalist|team|service)\b", re.I)),
    (Setting.hospital_initial, re.compile(r"\b(admission (H&P|history and physical)|history and physical|admit(ted)? to (the )?(hospital|medicine|floor|telemetry|observation))\b", re.I)),
    (Setting.hospital_subsequent, re.compile(r"\b(progress note|hospital day( #)? ?\d+|HD ?#?\d+|overnight events|interval events)\b", re.I)),
    (Setting.nursing_subsequent, re.compile(r"\b(skilled nursing|nursing facility|SNF|nursing home|long[- ]term care)\b", re.I)),
    (Setting.home, re.compile(r"\bhome visit\b|\bseen (at|in) (his|her|their|the patient's) home\b", re.I)),
    (Setting.telehealth, re.compile(r"\b(telehealth|telemedicine|video visit|virtual visit|via video|audio-?only|telephone visit|phone visit)\b", re.I)),
    (Setting.consult_office, re.compile(r"\b(consultation|consult) (requested|at the request) (by|of)\b", re.I)),
]
NEW_PATIENT = re.compile(r"\bnew patient\b|\bestablish(ing)? care\b|\bfirst (visit|time seeing|appointment)\b"
                         r"|\binitial (visit|evaluation|consultation)\b|\bnever seen\b", re.I)
ESTABLISHED = re.compile(r"\bfollow[- ]?up\b|\bsince (i|we) last saw\b|\blast visit\b|\breturns?\b|\bestablished patient\b", re.I)
MEDICARE = re.compile(r"\bmedicare\b", re.I)


def _ev(text: str, m: re.Match[str]) -> tuple[Evidence, ...]:
    return (Evidence(start=m.start(), end=m.end(), text=text[m.start():m.end()]),)


def infer_encounter(text: str, given: Encounter) -> tuple[Encounter, list[Inference]]:
    inferences: list[Inference] = []
    setting = given.setting
    if setting is None:
        setting = Setting.office
        reason, ev = "no setting given and none stated in the note; assumed office", ()
        for candidate, pattern in SETTING_CUES:
            if (m := pattern.search(text)):
                setting, reason, ev = candidate, f"the note says '{m.group(0)}'", _ev(text, m)
                break
        inferences.append(Inference(field="setting", value=setting.value, reason=reason, evidence=ev))
    patient = given.patient
    if patient is None and setting in SETTINGS_WITH_PATIENT_TYPE:
        if (m := NEW_PATIENT.search(text)):
            patient, reason, ev = PatientType.new, f"the note says '{m.group(0)}'", _ev(text, m)
        else:
            patient = PatientType.established
            m = ESTABLISHED.search(text)
            reason = f"the note says '{m.group(0)}'" if m else "no new-patient cue in the note; assumed established"
            ev = _ev(text, m) if m else ()
        inferences.append(Inference(field="patient", value=patient.value, reason=reason, evidence=ev))
    payer = given.payer
    if payer is None:
        payer = Payer.commercial
        inferences.append(Inference(field="payer", value="commercial",
                                    reason="no payer given; prolonged-service codes follow CPT (99417)"))
    return Encounter(setting=setting, patient=patient, payer=payer, date_of_service=given.date_of_service), inferences
