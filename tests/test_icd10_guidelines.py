"""ICD-10-CM guideline rules, table-driven: each row is a tiny note and the codes it must give."""

from __future__ import annotations

import pytest

import emcoder

ENC = {"setting": "office", "patient": "established", "date_of_service": "2026-06-15"}


def codes(note: str) -> list[str]:
    return [d.code for d in emcoder.analyze(note, ENC).icd10cm]


def ap(*problems: str) -> str:
    return "ASSESSMENT AND PLAN\n\n" + "\n\n".join(problems) + "\n"


@pytest.mark.parametrize("note,expected,absent", [
    # IV.H: uncertain diagnosis -> code the documented symptom instead.
    (ap("Chest pain, likely GERD.\nWe will start omeprazole and obtain an ECG."), ["R07.9"], ["K21.9"]),
    (ap("Possible pneumonia.\nCough and chest pain for 3 days. Chest x-ray ordered."), ["R07.9"], ["J18.9"]),
    # Negated: never coded.
    (ap("No evidence of diabetes.\nA1c normal."), [], ["E11.9"]),
    # Diabetes: type 2 by default; "uncontrolled" -> with hyperglycemia.
    (ap("Diabetes.\nStable, continue metformin 500 mg daily."), ["E11.9", "Z79.84"], []),
    (ap("Type 2 diabetes, uncontrolled.\nIncrease metformin to 1000 mg twice daily."), ["E11.65"], ["E11.9"]),
    # Diabetes + CKD: "with" convention -> E11.22 plus the N18 stage.
    (ap("Type 2 diabetes.\nStable.", "CKD stage 3a.\nStable creatinine."), ["E11.22", "N18.31"], ["E11.9"]),
    # Hypertension + CKD -> I12.9 (+ N18); + heart failure -> I11.0; both -> I13.0.
    (ap("Hypertension.\nControlled.", "Chronic kidney disease stage 4.\nMonitor."), ["I12.9", "N18.4"], ["I10"]),
    (ap("Hypertension.\nControlled.", "Congestive heart failure.\nEuvolemic."), ["I11.0", "I50.9"], ["I10"]),
    (ap("Hypertension.\nControlled.", "CHF.\nStable.", "CKD 3b.\nStable."), ["I13.0", "I50.9", "N18.32"], ["I10"]),
    # Laterality and injury 7th character (A: active treatment).
    (ap("Right knee osteoarthritis.\nWorse; start meloxicam 15 mg daily."), ["M17.11"], ["M17.9"]),
    (ap("Left ankle sprain.\nRICE, brace."), ["S93.402A"], []),
    (ap("Ankle sprain.\nRICE, brace."), ["S93.409A"], []),
    # Long-term drug therapy Z79 only for continued use.
    (ap("Type 1 diabetes.\nStable; continue insulin glargine 20 units."), ["E10.9"], ["Z79.4"]),
    # A dose change of a drug the patient takes is current use; stopping it is not.
    (ap("Type 2 diabetes.\nA1c 7.9. Increase metformin to 1000 mg twice daily."), ["E11.9", "Z79.84"], []),
    (ap("Type 2 diabetes.\nDiscontinue metformin because of diarrhea; start sitagliptin 100 mg daily."), [], ["Z79.84"]),
    # Current tobacco use addressed in the plan: F17.2- by product documented in the history.
    ("SOCIAL HISTORY\n\nSmokes 1 pack per day.\n\n" + ap("COPD.\nStable on tiotropium. Counseled on smoking cessation."),
     ["F17.210"], ["Z72.0", "F17.200"]),
    ("SOCIAL HISTORY\n\nFormer smoker, quit in 2010.\n\n" + ap("COPD.\nStable. Given his smoking history, CT screening."),
     [], ["F17.210", "F17.200"]),
    # Statuses in free words; never when hypothetical.
    ("HISTORY\n\nHe underwent stent placement in the right coronary artery in 2019.\n\n" + ap("Hypertension.\nStable."),
     ["Z95.5"], []),
    (ap("Coronary artery disease.\nIf symptoms persist, a stent in the LAD may be needed."), [], ["Z95.5"]),
    # Chronic pain documented as chronic: the site code plus G89.29 (I.C.6.b.1.a).
    (ap("Chronic neck pain.\nContinue home exercises."), ["M54.2", "G89.29"], []),
    # A condition managed inside another problem's plan is addressed too.
    (ap("Hypertension.\nStable. Order an echocardiogram for further evaluation of the murmur heard today."),
     ["I10", "R01.1"], []),
    # Specificity cues must be asserted: "assess for ... GI bleed" is not anemia due to blood loss.
    (ap("Iron deficiency anemia.\nWe will plan EGD and colonoscopy to assess for potential sources of GI bleed."),
     ["D50.9"], ["D50.0"]),
])
def test_guideline(note, expected, absent):
    got = codes(note)
    for code in expected:
        assert code in got, (code, got)
    for code in absent:
        assert code not in got, (code, got)


def test_family_history_is_not_coded():
    note = "FAMILY HISTORY\n\nMother with diabetes.\n\n" + ap("Hypertension.\nStable, continue lisinopril 10 mg.")
    assert "E11.9" not in codes(note)


def test_every_code_is_billable_and_cites_the_note():
    note = ap("Right knee osteoarthritis.\nWorse.", "Hypertension.\nStable.", "Low back pain.\nPT.")
    analysis = emcoder.analyze(note, ENC)
    import simple_icd_10_cm as icd

    assert analysis.icd10cm
    for dx in analysis.icd10cm:
        assert icd.is_valid_item(dx.code) and icd.is_leaf(dx.code)
        assert dx.evidence and all(note[e.start:e.end] == e.text for e in dx.evidence)
    assert [d.role for d in analysis.icd10cm].count("first_listed") == 1


def test_release_warning_after_fy2026():
    analysis = emcoder.analyze(ap("Hypertension.\nStable."), {**ENC, "date_of_service": "2026-11-02"})
    assert analysis.icd10cm_release == "FY2026"
    assert any("FY2027" in w and "not bundled" in w for w in analysis.warnings)
