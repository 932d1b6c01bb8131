"""Every time threshold of every E/M family, prolonged services by payer, ED never by time."""

from __future__ import annotations

import pytest

from emcoder.encounter import Encounter
from emcoder.results import TimeResult
from emcoder.scoring.em import recommend
from emcoder.scoring.mdm import score_mdm

# (setting, patient, minutes, expected time code) at and just below each documented threshold.
THRESHOLDS = [
    ("office", "new", 15, "99202"), ("office", "new", 30, "99203"), ("office", "new", 45, "99204"),
    ("office", "new", 60, "99205"), ("office", "new", 14, None), ("office", "new", 29, "99202"),
    ("office", "established", 10, "99212"), ("office", "established", 20, "99213"),
    ("office", "established", 30, "99214"), ("office", "established", 40, "99215"),
    ("office", "established", 9, None), ("office", "established", 39, "99214"),
    ("telehealth", "established", 30, "99214"), ("telehealth", "new", 60, "99205"),
    ("hospital_initial", None, 40, "99221"), ("hospital_initial", None, 55, "99222"),
    ("hospital_initial", None, 75, "99223"), ("hospital_initial", None, 39, None),
    ("hospital_subsequent", None, 25, "99231"), ("hospital_subsequent", None, 35, "99232"),
    ("hospital_subsequent", None, 50, "99233"), ("hospital_subsequent", None, 24, None),
    ("hospital_discharge", None, 30, "99238"), ("hospital_discharge", None, 31, "99239"),
    ("hospital_discharge", None, None, "99238"),
    ("consult_office", None, 20, "99242"), ("consult_office", None, 30, "99243"),
    ("consult_office", None, 40, "99244"), ("consult_office", None, 55, "99245"),
    ("consult_inpatient", None, 35, "99252"), ("consult_inpatient", None, 45, "99253"),
    ("consult_inpatient", None, 60, "99254"), ("consult_inpatient", None, 80, "99255"),
    ("nursing_initial", None, 25, "99304"), ("nursing_initial", None, 35, "99305"),
    ("nursing_initial", None, 45, "99306"),
    ("nursing_subsequent", None, 10, "99307"), ("nursing_subsequent", None, 15, "99308"),
    ("nursing_subsequent", None, 30, "99309"), ("nursing_subsequent", None, 45, "99310"),
    ("home", "new", 15, "99341"), ("home", "new", 30, "99342"), ("home", "new", 60, "99344"),
    ("home", "new", 75, "99345"),
    ("home", "established", 20, "99347"), ("home", "established", 30, "99348"),
    ("home", "established", 40, "99349"), ("home", "established", 60, "99350"),
    ("ed", None, 120, None),
]


def run(rules, setting, patient, minutes, payer="commercial"):
    mdm = score_mdm([], rules)  # straightforward MDM: time decides whenever it may
    enc = Encounter(setting=setting, patient=patient, payer=payer)
    return recommend(enc, mdm, TimeResult(total_minutes=minutes, note=""), rules)


@pytest.mark.parametrize("setting,patient,minutes,expected", THRESHOLDS)
def test_time_code(rules, setting, patient, minutes, expected):
    _, time = run(rules, setting, patient, minutes)
    assert time.code == expected


@pytest.mark.parametrize("patient,minutes,payer,addons", [
    ("new", 74, "commercial", ()), ("new", 75, "commercial", (("99417", 1),)),
    ("new", 89, "commercial", (("99417", 1),)), ("new", 90, "commercial", (("99417", 2),)),
    ("new", 88, "medicare", ()), ("new", 89, "medicare", (("G2212", 1),)), ("new", 104, "medicare", (("G2212", 2),)),
    ("established", 54, "commercial", ()), ("established", 55, "commercial", (("99417", 1),)),
    ("established", 70, "commercial", (("99417", 2),)),
    ("established", 68, "medicare", ()), ("established", 69, "medicare", (("G2212", 1),)),
    ("established", 84, "medicare", (("G2212", 2),)),
])
def test_prolonged_office(rules, patient, minutes, payer, addons):
    _, time = run(rules, "office", patient, minutes, payer)
    assert tuple((a.code, a.units) for a in time.prolonged) == addons


def test_ed_never_by_time(rules):
    em, time = run(rules, "ed", None, 200)
    assert em.basis == "mdm" and em.code == "99282" and time.code is None and not time.allowed


def test_time_beats_mdm_only_when_higher(rules):
    em, _ = run(rules, "office", "established", 40)
    assert (em.code, em.basis) == ("99215", "time")
    em, _ = run(rules, "office", "established", 5)
    assert (em.code, em.basis) == ("99212", "mdm")
