"""The curated ICD-10-CM synonym file (rules/data/icd10_synonyms.yaml), checked against the bundled
FY2026 code set (simple_icd_10_cm): every code valid and billable as it will be used, injury codes
billable with each 7th character, one entry per term, class-specific Z79 codes only; then a table
of the words physicians write and the codes they must map to.
"""

from __future__ import annotations

import re

import pytest
import simple_icd_10_cm as icd

import emcoder
from emcoder.icd10.lexicon import SynonymLexicon
from emcoder.rules import load_ruleset

RULES = load_ruleset()
ICD = RULES.icd10
ENTRIES = ICD.entries
SEVENTH_ENTRIES = [e for e in ENTRIES if e.seventh]
PLAIN_ENTRIES = [e for e in ENTRIES if not e.seventh]
GROUPS = {"diabetes", "hypertension", "ckd", "heart_failure", "copd", "asthma", "cad", "afib"}
LEXICON = SynonymLexicon(RULES)


def _id(entry) -> str:
    return f"{entry.code}:{entry.terms[0]}"


def _codes(entry) -> list[tuple[str, str]]:
    """Every code an entry can produce: its own, its variants', its laterality codes."""
    return ([("entry", entry.code)] + [("variant", v.code) for v in entry.variants]
            + [(f"laterality {side}", code) for side, code in entry.laterality.items()])


def _with_seventh(code: str, char: str) -> str:
    """The engine's rule: pad to six characters with X, append the 7th, re-insert the dot."""
    raw = code.replace(".", "")[:6].ljust(6, "X") + char
    return f"{raw[:3]}.{raw[3:]}"


def _billable(code: str) -> bool:
    return icd.is_valid_item(code) and icd.is_leaf(code)


def test_file_is_substantial():
    assert len(ENTRIES) >= 350
    assert {e.group for e in ENTRIES if e.group} <= GROUPS


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_every_code_is_valid(entry):
    bad = [(kind, code) for kind, code in _codes(entry) if not icd.is_valid_item(code)]
    assert not bad, bad


@pytest.mark.parametrize("entry", PLAIN_ENTRIES, ids=_id)
def test_codes_used_as_is_are_billable(entry):
    bad = [(kind, code) for kind, code in _codes(entry) if not _billable(code)]
    assert not bad, bad


@pytest.mark.parametrize("entry", SEVENTH_ENTRIES, ids=_id)
def test_injury_codes_take_each_seventh_character(entry):
    assert _billable(entry.code), "injury entries keep their initial-encounter code as written"
    bad = [(kind, code, char) for kind, code in _codes(entry) for char in "ADS"
           if not _billable(_with_seventh(code, char))]
    assert not bad, bad


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.laterality], ids=_id)
def test_laterality_codes_name_their_side(entry):
    """I.B.13: right, left and bilateral codes say so; the unspecified default names no side."""
    assert {"right", "left", "unspecified"} <= set(entry.laterality)

    def desc(code: str) -> str:
        return icd.get_description(_with_seventh(code, "A") if entry.seventh else code).lower()

    lat = entry.laterality
    if lat["right"] == lat["left"]:  # the classification has one code for either side (e.g. K40.90)
        assert lat.get("bilateral", lat["right"]) != lat["right"]
        return
    assert "right" in desc(lat["right"]), desc(lat["right"])
    assert "left" in desc(lat["left"]), desc(lat["left"])
    assert not re.search(r"\b(right|left)\b", desc(lat["unspecified"])), desc(lat["unspecified"])
    if lat.get("bilateral", lat["unspecified"]) != lat["unspecified"]:
        assert re.search(r"\b(bilateral|both)\b", desc(lat["bilateral"])), desc(lat["bilateral"])


def test_laterality_and_variants_are_not_combined():
    """The engine replaces a variant's code with the side's code, so an entry carries one or the other."""
    both = [e.code for e in ENTRIES if e.laterality and e.variants]
    assert not both, both


def test_no_term_belongs_to_two_entries():
    owner: dict[str, str] = {}
    clashes = []
    for entry in ENTRIES:
        assert len(set(entry.terms)) == len(entry.terms), f"{entry.code} repeats a term"
        for term in entry.terms:
            if term in owner:
                clashes.append((term, owner[term], entry.code))
            owner[term] = entry.code
    assert not clashes, clashes


def test_terms_are_lower_case_and_trimmed():
    bad = [t for e in ENTRIES for t in e.terms if t != t.lower() or t != t.strip() or not t]
    assert not bad, bad


def test_sign_and_symptom_codes_are_marked():
    unmarked = [e.code for e in ENTRIES if e.code.startswith("R") and not e.symptom]
    assert not unmarked, unmarked


def test_variant_cues_compile():
    for entry in ENTRIES:
        for v in entry.variants:
            re.compile(v.cue, re.I)


def test_catch_all_z79_899_is_never_used():
    assert all(code != "Z79.899" for e in ENTRIES for _, code in _codes(e))
    assert all(lt.code != "Z79.899" for lt in ICD.long_term_drugs)


@pytest.mark.parametrize("lt", ICD.long_term_drugs, ids=lambda lt: lt.code)
def test_long_term_drug_codes_are_billable_z79(lt):
    assert lt.code.startswith("Z79") and _billable(lt.code)
    assert lt.drugs and all(d == d.lower() for d in lt.drugs)


def test_a_drug_belongs_to_one_class():
    owner: dict[str, str] = {}
    for lt in ICD.long_term_drugs:
        for drug in lt.drugs:
            assert drug not in owner, (drug, owner.get(drug), lt.code)
            owner[drug] = lt.code


def test_brief_classes_are_present():
    codes = {lt.code for lt in ICD.long_term_drugs}
    assert {"Z79.3", "Z79.890", "Z79.891", "Z79.1", "Z79.2", "Z79.01", "Z79.02", "Z79.4", "Z79.84"} <= codes
    assert any(c.startswith("Z79.6") for c in codes)


# --- what the words map to ------------------------------------------------------------------

def resolve(heading: str, body: str = "") -> list[tuple[str, str, dict]]:
    """(term, code after variants, laterality) for each lexicon match in a problem heading."""
    out = []
    for m in LEXICON.find(heading):
        code, _ = LEXICON.variant(m.entry, heading + "\n" + body)
        out.append((m.term.lower(), code, dict(m.entry.laterality)))
    return out


@pytest.mark.parametrize("heading,body,code", [
    # Diabetes: complications and control; negated findings do not pick a variant.
    ("Type 2 diabetes", "A1c 7.1. Continue metformin.", "E11.9"),
    ("Type 2 diabetes", "No neuropathy on monofilament exam. No retinopathy.", "E11.9"),
    ("Type 2 diabetes, uncontrolled", "", "E11.65"),
    ("Type 2 diabetes with peripheral neuropathy", "", "E11.42"),
    ("Diabetic nephropathy", "", "E11.21"),
    ("Type 2 diabetes in remission", "", "E11.A"),
    ("Gestational diabetes", "Diet controlled.", "O24.410"),
    # Heart failure type and acuity.
    ("Acute on chronic systolic heart failure", "", "I50.23"),
    ("HFpEF", "chronic, euvolemic", "I50.32"),
    ("CHF", "", "I50.9"),
    ("Paroxysmal atrial fibrillation", "", "I48.0"),
    ("Atrial fibrillation", "Persistent, rate controlled.", "I48.19"),
    ("STEMI", "Acute inferior STEMI.", "I21.19"),
    ("CAD", "No angina. Continue aspirin and statin.", "I25.10"),
    # Respiratory.
    ("Asthma, moderate persistent", "With acute exacerbation.", "J45.41"),
    ("Asthma", "Well controlled, no exacerbation this year.", "J45.909"),
    ("COPD", "No recent exacerbations.", "J44.9"),
    ("COPD exacerbation", "", "J44.1"),
    ("Sinusitis", "", "J32.9"),
    ("Acute sinusitis", "", "J01.90"),
    ("Chronic cough", "", "R05.3"),
    ("Influenza A", "", "J10.1"),
    # Digestive and GU.
    ("Abdominal pain", "RLQ tenderness.", "R10.31"),
    ("GERD", "EGD showed esophagitis.", "K21.00"),
    ("Hepatitis C", "Chronic, genotype 1a.", "B18.2"),
    ("BPH", "With nocturia and weak stream.", "N40.1"),
    ("CKD stage 3b", "", "N18.32"),
    ("Pyelonephritis", "", "N12"),
    ("Suprapubic pain", "", "R10.24"),
    # Mental health and substances.
    ("MDD, recurrent, moderate", "", "F33.1"),
    ("Major depressive disorder", "Single episode, severe without psychotic features.", "F32.2"),
    ("Alcohol use disorder, mild", "", "F10.10"),
    ("Tobacco use disorder", "Smokes 1 pack per day.", "F17.210"),
    # Injuries: the entry's base code before the engine adds side and 7th character.
    ("Concussion", "Fell while skiing, no loss of consciousness.", "S06.0X0A"),
    ("Concussion", "", "S06.0XAA"),
    ("Fracture of the left distal radius", "", "S52.502"),
    ("Laceration of right index finger", "", "S61.210"),
    ("Trigger finger, left ring finger", "", "M65.342"),
    ("Cellulitis of right lower leg", "", "L03.115"),
    ("Lumbar DDD", "With radiculopathy down the left leg.", "M51.16"),
])
def test_heading_maps_to_code(heading, body, code):
    got = [c for _, c, _ in resolve(heading, body)]
    assert code in got, (heading, got)


@pytest.mark.parametrize("heading,side,code", [
    ("Right knee osteoarthritis", "right", "M17.11"),
    ("Bilateral knee osteoarthritis", "bilateral", "M17.0"),
    ("Left shoulder pain", "left", "M25.512"),
    ("Carpal tunnel syndrome", "bilateral", "G56.03"),
    ("Right breast cancer", "right", "C50.911"),
    ("Left otitis media", "left", "H66.92"),
    ("Cerumen impaction", "unspecified", "H61.20"),
    ("Right lower extremity DVT", "right", "I82.401"),
    ("Status post TKA", "left", "Z96.652"),
    ("Left ankle sprain", "left", "S93.402"),
])
def test_laterality_codes(heading, side, code):
    matches = resolve(heading)
    assert any(lat.get(side) == code for _, _, lat in matches), (heading, matches)


@pytest.mark.parametrize("text", [
    "Bowel prep",            # not HIV PrEP
    "SI joint pain",         # not suicidal ideation
    "Stress test",           # not a stress Z code
    "Wound care",            # no injury code from a care instruction
])
def test_words_that_must_not_map_to_a_wrong_code(text):
    got = {c for _, c, _ in resolve(text)}
    assert not got & {"Z29.81", "R45.851", "Z73.3", "T14.8XXA"}, got


# --- end to end: the engine applies side, 7th character and symptom rules to these entries ------

ENC = {"setting": "office", "patient": "established", "date_of_service": "2026-06-15"}


def codes(*problems: str) -> list[str]:
    note = "ASSESSMENT AND PLAN\n\n" + "\n\n".join(problems) + "\n"
    return [d.code for d in emcoder.analyze(note, ENC).icd10cm]


@pytest.mark.parametrize("problems,expected,absent", [
    (("Right knee pain.\nIce and PT.",), ["M25.561"], ["M25.569"]),
    (("Fracture of the left distal radius.\nSplint placed, ortho referral.",), ["S52.502A"], []),
    (("Right wrist sprain.\nWrist brace.",), ["S63.501A"], []),
    (("Community-acquired pneumonia.\nStart amoxicillin.",), ["J18.9"], []),
    (("Cough, likely viral bronchitis.\nSupportive care.",), ["R05.9"], ["J40", "J20.9"]),
    (("Type 2 diabetes with CKD stage 3a.\nStable.",), ["E11.22", "N18.31"], ["E11.9"]),
    (("Hypertensive CKD stage 4.\nStable.",), ["I12.9", "N18.4"], ["I10"]),
])
def test_end_to_end(problems, expected, absent):
    got = codes(*problems)
    for code in expected:
        assert code in got, (code, got)
    for code in absent:
        assert code not in got, (code, got)
    assert all(_billable(c) for c in got), got
