"""Check gold files in an `emcoder.gold/1` corpus folder for annotators.

Usage: python corpora/check_gold.py corpora/gold [ID ...]

Checks, per `<id>.gold.json`: the JSON schema in ../shared/spec/gold.schema.json (or the copy
bundled with emcoder), that `<id>.txt` exists, that every element quote is a substring of the
note, that every ICD-10-CM code is valid and billable in the bundled FY2026 code set, that the
MDM level is the 2-of-3 result of the element levels, and that the E/M code agrees with the
setting's code family. Prints one line per problem; exits 1 when any file has a problem.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import simple_icd_10_cm as icd

HERE = Path(__file__).resolve().parent
SCHEMA_PATHS = [HERE.parent.parent / "shared" / "spec" / "gold.schema.json",
                HERE.parent / "src" / "emcoder" / "evaluation" / "gold.schema.json"]

ELEMENT_RANK = {
    "problems": ["minimal", "low", "moderate", "high"],
    "data": ["minimal", "limited", "moderate", "extensive"],
    "risk": ["minimal", "low", "moderate", "high"],
}
LEVELS = ["straightforward", "low", "moderate", "high"]
# MDM level index -> code, per family (CPT 2023+; fact sheet section 2.7).
FAMILIES = {
    ("office", "new"): ["99202", "99203", "99204", "99205"],
    ("office", "established"): ["99212", "99213", "99214", "99215"],
    ("telehealth", "new"): ["99202", "99203", "99204", "99205"],
    ("telehealth", "established"): ["99212", "99213", "99214", "99215"],
    ("home", "new"): ["99341", "99342", "99344", "99345"],
    ("home", "established"): ["99347", "99348", "99349", "99350"],
    ("ed", None): ["99282", "99283", "99284", "99285"],
    ("hospital_initial", None): ["99221", "99221", "99222", "99223"],
    ("hospital_subsequent", None): ["99231", "99231", "99232", "99233"],
    ("consult_office", None): ["99242", "99243", "99244", "99245"],
    ("consult_inpatient", None): ["99252", "99253", "99254", "99255"],
    ("nursing_initial", None): ["99304", "99304", "99305", "99306"],
    ("nursing_subsequent", None): ["99307", "99308", "99309", "99310"],
}
OTHER_VALID = {"99211", "99281", "99238", "99239", "99315", "99316", "99291", "99234", "99235", "99236"}
PROBLEM = ["minor", "acute_uncomplicated", "stable_acute", "acute_uncomplicated_inpatient", "chronic_stable",
           "chronic_exacerbation", "undiagnosed_uncertain", "acute_systemic", "acute_complicated_injury",
           "chronic_severe_exacerbation", "threat_to_life"]
DATA = ["external_notes", "test_result_reviewed", "test_ordered", "independent_historian",
        "independent_interpretation", "discussion_external"]
RISK = ["minimal", "low", "rx_management", "minor_surgery_with_risk_factors",
        "elective_major_surgery_no_risk_factors", "sdoh_limits_care", "intensive_toxicity_monitoring",
        "elective_major_surgery_with_risk_factors", "emergency_major_surgery", "hospitalization_decision",
        "dnr_or_deescalation", "parenteral_controlled_substance"]
LABELS = {"problem": PROBLEM, "data": DATA, "risk": RISK}


def load_schema() -> dict:
    for path in SCHEMA_PATHS:
        if path.exists():
            return json.loads(path.read_text())
    raise SystemExit("gold.schema.json not found")


def check(path: Path, schema: dict) -> list[str]:
    problems: list[str] = []
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"not readable JSON: {exc}"]
    for err in jsonschema.Draft202012Validator(schema).iter_errors(gold):
        problems.append(f"schema: {'/'.join(map(str, err.absolute_path))}: {err.message}")
    stem = path.name[: -len(".gold.json")]
    if gold.get("id") != stem:
        problems.append(f"id {gold.get('id')!r} differs from file stem {stem!r}")
    txt = path.with_name(stem + ".txt")
    if not txt.exists():
        return problems + ["missing .txt"]
    text = txt.read_text(encoding="utf-8")
    for i, el in enumerate(gold.get("elements", [])):
        if el.get("quote") and el["quote"] not in text:
            problems.append(f"elements[{i}] quote not in note: {el['quote'][:60]!r}")
        if el.get("label") not in LABELS.get(el.get("element"), []):
            problems.append(f"elements[{i}] unknown label {el.get('label')!r} for {el.get('element')!r}")
    for code in gold.get("icd10cm", []):
        if not icd.is_valid_item(code):
            problems.append(f"ICD-10-CM {code} is not in the FY2026 code set")
        elif not icd.is_leaf(code):
            problems.append(f"ICD-10-CM {code} is not billable (needs more characters)")
    if len(set(gold.get("icd10cm", []))) != len(gold.get("icd10cm", [])):
        problems.append("duplicate ICD-10-CM codes")
    em = gold.get("em", {})
    mdm = em.get("mdm", {})
    try:
        ranks = sorted((ELEMENT_RANK[k].index(mdm[k]) for k in ELEMENT_RANK), reverse=True)
        if LEVELS[ranks[1]] != mdm.get("level"):
            problems.append(f"mdm.level {mdm.get('level')} but 2-of-3 of the elements gives {LEVELS[ranks[1]]}")
    except (KeyError, ValueError):
        problems.append("mdm elements missing or invalid")
    enc = gold.get("encounter", {})
    setting = enc.get("setting")
    patient = enc.get("patient") if setting in ("office", "telehealth", "home") else None
    family = FAMILIES.get((setting, patient))
    if setting in ("consult_office", "consult_inpatient") and enc.get("payer") == "medicare":
        # Medicare pays no consult codes (fact sheet 2.7): the office or hospital code is billed.
        family = FAMILIES.get(("office", "new")) if setting == "consult_office" else FAMILIES.get(("hospital_initial", None))
    code = em.get("code")
    if code and family and code not in family and code not in OTHER_VALID:
        problems.append(f"em.code {code} is not in the {setting}/{patient} family {family}")
    if code and em.get("basis", "mdm") == "mdm" and family and code in family and mdm.get("level") in LEVELS:
        expected = family[LEVELS.index(mdm["level"])]
        if expected != code:
            problems.append(f"basis mdm with level {mdm['level']} gives {expected}, not {code}")
    if code and not any(c.split("-")[0] == code for c in gold.get("cpt", [])):
        problems.append(f"em.code {code} missing from cpt list")
    if not gold.get("rationale"):
        problems.append("no rationale")
    return problems


def main(argv: list[str]) -> int:
    folder = Path(argv[1])
    wanted = set(argv[2:])
    schema = load_schema()
    bad = 0
    files = sorted(folder.glob("*.gold.json"))
    for path in files:
        stem = path.name[: -len(".gold.json")]
        if wanted and stem not in wanted:
            continue
        for problem in check(path, schema):
            print(f"{path.name}: {problem}")
            bad += 1
    print(f"checked {len(files) if not wanted else len(wanted)} files, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
