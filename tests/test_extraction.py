"""Extraction checked by character offsets: sections, assertion, problems, data, risk, time."""

from __future__ import annotations

import pytest

import emcoder
from emcoder.pipeline.findings import SPAN_KEY

HEADED = """CHIEF COMPLAINT

Knee pain.

RESULTS

X-ray of the right knee shows mild degenerative changes.

ASSESSMENT AND PLAN

Right knee osteoarthritis.
• Medical Reasoning: Worsening pain despite naproxen.
• Medical Treatment: Start meloxicam 15 mg daily. Stop naproxen.
• Additional Testing: We will order an MRI of the right knee.

Hypertension.
• Medical Reasoning: Well controlled.
• Medical Treatment: Continue current medications.
"""


def spans_of(doc, label):
    return [(s.text, s.start_char, s.end_char, s._.emcoder_assertion)
            for s in doc.spans[SPAN_KEY] if s.label_ == label]


def test_sections_by_offset(nlp):
    doc = nlp(HEADED)
    got = [(s.category, s.title, HEADED[s.start:s.start + len(s.title or "")]) for s in doc._.emcoder_sections]
    assert got == [("chief_complaint", "CHIEF COMPLAINT", "CHIEF COMPLAINT"), ("results", "RESULTS", "RESULTS"),
                   ("assessment_plan", "ASSESSMENT AND PLAN", "ASSESSMENT AND PLAN")]


@pytest.mark.parametrize("text,target,assertion", [
    ("Patient denies chest pain.", "chest pain", "negated"),
    ("No fever or chills.", "fever", "negated"),
    ("Possible pneumonia on the left.", "pneumonia", "possible"),
    ("Rule out appendicitis.", "appendicitis", "possible"),
    ("Mother has diabetes.", "diabetes", "family"),
    ("History of gout, no flares in years.", "gout", "historical"),
    ("If she develops fever, call us.", "fever", "conditional"),
    ("She has hypertension.", "hypertension", "present"),
    ("A1c is not at goal; hypertension is stable.", "hypertension", "present"),
])
def test_assertion(nlp, text, target, assertion):
    doc = nlp(text)
    found = [s for s in doc.spans[SPAN_KEY] if s.text.lower() == target]
    assert found, f"{target} not found"
    start = text.lower().index(target)
    assert (found[0].start_char, found[0].end_char) == (start, start + len(target))
    assert found[0]._.emcoder_assertion == assertion


def test_family_history_section_is_family(nlp):
    text = "FAMILY HISTORY\n\nDiabetes and hypertension.\n"
    doc = nlp(text)
    assert {s._.emcoder_assertion for s in doc.spans[SPAN_KEY]} == {"family"}


def items_by_label(analysis, element):
    return [(i.label, i.evidence[0].start, i.evidence[0].end, i.counted)
            for i in analysis.items if i.element == element]


def test_problems_with_offsets():
    a = emcoder.analyze(HEADED, {"setting": "office", "patient": "established"})
    oa = HEADED.index("Right knee osteoarthritis")
    htn = HEADED.index("Hypertension.")
    assert items_by_label(a, "problem") == [
        ("chronic_exacerbation", oa, oa + len("Right knee osteoarthritis"), True),
        ("chronic_stable", htn, htn + len("Hypertension"), True),
    ]
    for item in a.items:
        for ev in item.evidence:
            assert HEADED[ev.start:ev.end] == ev.text


def test_data_with_offsets():
    a = emcoder.analyze(HEADED, {"setting": "office", "patient": "established"})
    xray = HEADED.index("X-ray of the right knee")
    mri = HEADED.index("Additional Testing")
    got = items_by_label(a, "data")
    assert ("test_result_reviewed", xray, HEADED.index("changes.") + len("changes."), True) in got
    assert any(lbl == "test_ordered" and start == mri for lbl, start, _, _ in got)
    assert a.mdm.data.level == "limited"


def test_risk_named_drug_counts_bare_continue_does_not():
    a = emcoder.analyze(HEADED, {"setting": "office", "patient": "established"})
    rx = [i for i in a.items if i.label == "rx_management"]
    assert [i.description.split(":")[1].split("(")[0].strip() for i in rx] == ["meloxicam"]
    # naproxen with no prescription strength is an OTC drug: low risk, not drug management.
    assert any(i.label == "low" and "naproxen" in i.description for i in a.items)
    assert all("current medications" not in i.evidence[0].text for i in rx)
    assert a.mdm.risk.level == "moderate"
    assert a.em.code == "99214"


@pytest.mark.parametrize("text,minutes", [
    ("I spent a total of 42 minutes on the date of the encounter reviewing records and counseling.", 42),
    ("Total time today: 35 min, including documentation.", 35),
    ("Follow up in 30 minutes if pain persists? No: return in 2 weeks.", None),
    ("Patient walked for 30 minutes daily.", None),
    ("I spent 25 minutes counseling the patient on diet.", None),
])
def test_time_statement(nlp, text, minutes):
    doc = nlp(text)
    found = doc._.emcoder_time
    assert (found.minutes if found else None) == minutes


def test_time_beats_mdm_end_to_end():
    note = ("ASSESSMENT AND PLAN\n\nAllergic rhinitis.\n• Medical Treatment: Saline spray.\n\n"
            "I spent a total of 45 minutes on the date of this encounter, including review of records, "
            "counseling and documentation.\n")
    a = emcoder.analyze(note, {"setting": "office", "patient": "established"})
    assert (a.em.code, a.em.basis, a.time.total_minutes) == ("99215", "time", 45)
    assert a.time.evidence[0].text.startswith("I spent a total of 45 minutes")


def test_dictation_double_space_still_ends_a_sentence(nlp):
    # "status post" must not reach into the next sentence: MTSamples-style dictation puts two
    # spaces after each period.
    doc = nlp("ASSESSMENT\n1.  This is an 80-year-old woman status post fall.  The left hip has a femoral neck fracture.\n")
    starts = [s.text.split()[0] for s in doc.sents if s.text.strip()]
    assert "The" in starts
    fracture = [s for s in doc.spans[SPAN_KEY] if s.text == "fracture"]
    assert fracture and fracture[0]._.emcoder_assertion == "present"


def test_numbered_summary_item_names_its_problem_further_on():
    note = ("ASSESSMENT\n1.  This is an 80-year-old woman status post fall with injury to the left hip.  "
            "The left hip has a nondisplaced femoral neck fracture.\n2.  Hypertension, stable on lisinopril.\n\n"
            "PLAN:  She should be admitted to the medical service for surgical fixation.\n")
    analysis = emcoder.analyze(note, {"setting": "ed"})
    problems = [i for i in analysis.items if i.element == "problem" and i.counted]
    assert any("fracture" in i.description for i in problems)
    assert any(i.label == "hospitalization_decision" and i.counted for i in analysis.items)


def test_self_limited_course_is_a_minor_problem_and_past_admission_is_not_a_decision():
    note = ("ASSESSMENT AND PLAN\n1. Transient eye tic.\nThis is benign and expected to resolve on its own; "
            "no treatment is needed.\n\n2. Hypertension.\nHe was admitted to the hospital in May for a "
            "hypertensive urgency. At the time of admission his pressures were 210/120. Continue lisinopril 20 mg daily.\n")
    analysis = emcoder.analyze(note, {"setting": "office", "patient": "established"})
    labels = {i.description: i.label for i in analysis.items if i.element == "problem" and i.counted}
    assert labels.get("Transient eye tic") == "minor"
    assert not any(i.label == "hospitalization_decision" and i.counted for i in analysis.items)


@pytest.mark.parametrize(("text", "code"), [
    ("I spent more than 30 minutes on discharge planning and coordination today.", "99239"),
    ("Total time spent on discharge: 45 minutes.", "99239"),
    ("Discharge time: 25 minutes.", "99238"),
    ("Spent 30 minutes on the discharge.", "99238"),
])
def test_discharge_day_time(text, code):
    note = "DISCHARGE DIAGNOSES:\n1. Community-acquired pneumonia, resolved.\n\n" + text + "\n"
    assert emcoder.analyze(note, {"setting": "hospital_discharge"}).em.code == code


def test_surgeons_own_check_weeks_after_the_operation_is_not_a_separate_em():
    note = ("SUBJECTIVE:  A 6-year-old boy who underwent tonsillectomy and adenoidectomy two weeks ago.  "
            "He had recurrent throat infections before surgery.  Eating well.\n\nOBJECTIVE:  The pharynx is well "
            "healed.\n\nRECOMMENDATION:  No restrictions.  Follow up as needed.\n")
    assert emcoder.analyze(note, {"setting": "office", "patient": "established"}).em.code is None


def test_problem_controlled_on_a_named_drug_is_drug_management():
    note = "IMPRESSION:\n1.  Hypertension, well controlled on lisinopril.\n\nPLAN:  Continue current medications.\n"
    analysis = emcoder.analyze(note, {"setting": "office", "patient": "established"})
    assert any(i.label == "rx_management" and i.counted for i in analysis.items)


def test_admitting_note_carries_the_hospitalization_decision_only_in_initial_hospital_care():
    note = ("HISTORY OF PRESENT ILLNESS:  Melena for two days, hematocrit 26.\n\n"
            "ASSESSMENT AND PLAN:\n1.  Upper GI bleed.  NPO, IV pantoprazole, transfuse 2 units, GI for EGD.\n")
    initial = emcoder.analyze(note, {"setting": "hospital_initial"})
    office = emcoder.analyze(note, {"setting": "office", "patient": "established"})
    decision = [i for i in initial.items if i.label == "hospitalization_decision"]
    assert decision and decision[0].rule_id.endswith("admitting_note.v1")
    assert note[decision[0].evidence[0].start:decision[0].evidence[0].end] == decision[0].evidence[0].text
    assert not any(i.label == "hospitalization_decision" for i in office.items)


def test_medicare_consultation_bills_the_office_or_hospital_family():
    note = ("REASON FOR CONSULTATION:  Murmur, requested by Dr. Patel.\n\nASSESSMENT AND PLAN:\n"
            "1.  Aortic stenosis, moderate.  Start atorvastatin 40 mg daily; echo in 6 months.\n")
    commercial = emcoder.analyze(note, {"setting": "consult_office", "payer": "commercial"})
    medicare = emcoder.analyze(note, {"setting": "consult_office", "payer": "medicare"})
    assert commercial.em.code.startswith("9924")
    assert medicare.em.code.startswith("9920")


def test_a_physicians_order_for_a_therapy_evaluation_is_still_a_physician_visit():
    note = ("ASSESSMENT AND PLAN:\n1.  Left hemiparesis after stroke, stable.  Continue clopidogrel 75 mg daily.  "
            "Order an occupational therapy evaluation for home safety.\n")
    assert emcoder.analyze(note, {"setting": "home", "patient": "new"}).em.code is not None


def test_decision_for_major_surgery_today_takes_modifier_57():
    note = ("ASSESSMENT AND PLAN:\n1.  Acute appendicitis on CT.  We will proceed with laparoscopic appendectomy "
            "this afternoon.  Risks and benefits discussed; consent signed.\n")
    analysis = emcoder.analyze(note, {"setting": "office", "patient": "new"})
    em = [c for c in analysis.cpt if c.kind == "em"]
    assert em and "57" in em[0].modifiers


def test_g2211_from_a_stated_longitudinal_relationship():
    note = ("Clinician: Dr. Feld (primary care; I have managed his heart failure since his diagnosis in 2021)\n\n"
            "ASSESSMENT AND PLAN:\n1.  Chronic systolic heart failure, stable.  Continue metoprolol succinate 100 mg daily.\n")
    analysis = emcoder.analyze(note, {"setting": "office", "patient": "established", "payer": "medicare"})
    assert "G2211" in [c.code for c in analysis.cpt]
