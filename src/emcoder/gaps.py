"""Documentation gaps, each drafted as a compliant provider query (issue 6).

Every detector is a versioned rule (`rules/data/gaps.yaml`) that fires only on what the note
shows, and every query quotes its clinical indicators with their place in the note. Query text
comes from the rule file, which is checked at load for forbidden wording (codes, levels,
payment, quality); multiple-choice queries always end with "other" and "clinically
undetermined" options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from emcoder.pipeline.common import sents_of, evidence, section_at
from emcoder.pipeline.findings import SPAN_KEY
from emcoder.pipeline.problems import UNADDRESSED, block_body, mentioned_elsewhere
from emcoder.results import (
    CodingFlag, DiagnosisSuggestion, DocumentationGap, DraftQuery, EMRecommendation, Evidence, Inference, MDMItem,
    TimeResult,
)
from emcoder.rules.loader import RuleSet
from emcoder.rules.schema import GapDetector

TIME_WITHOUT_TOTAL = re.compile(
    r"\b(more than|greater than|over) (half|50 ?%)\b|\bspent (considerable|significant|extra|additional|a lot of) time\b"
    r"|\b(majority|most) of (the|this) (visit|encounter|time)\b|\bprolonged (visit|discussion)\b", re.I)
RECORDS_NO_SOURCE = re.compile(r"\b(records?|outside records|prior records|old records|notes)\b[^.]{0,20}\b(were |was )?reviewed\b"
                               r"|\breviewed (the )?(outside |prior |old )?(records|notes|chart)\b", re.I)
SOURCE_NAMED = re.compile(r"\b(from|by|of|at)\b[^.]{0,30}\b(dr\.?|doctor|hospital|clinic|er|ed|emergency|urgent care|"
                          r"cardiolog|neurolog|oncolog|orthoped|nephrolog|facility|specialist|pcp)", re.I)
COMPANION = re.compile(r"\b(accompanied by|here with|presents with (his|her) (mother|father|wife|husband|daughter|son|"
                       r"caregiver|parents?)|(mother|father|wife|husband|daughter|son|caregiver|parents?) (is|are) (present|here))\b",
                       re.I)
BARE_CONTINUE = re.compile(r"\b(continue|cont\.?)\s+(all\s+)?(current|home|same|present|her|his|their)?\s*(medications|meds|"
                           r"medication regimen|regimen)\b", re.I)
FINDING_HEADING = re.compile(r"\b(elevated|high|low|abnormal|decreased|increased|positive)\b[^.]{0,30}\b("
                             r"a1c|glucose|potassium|sodium|creatinine|tsh|cholesterol|ldl|hemoglobin|platelets?|wbc|"
                             r"liver enzymes|lfts|psa|vitamin d|b12|calcium|ferritin|inr|blood pressure reading)", re.I)
# Categories whose "unspecified" code has siblings that documentation of type, stage, severity
# or episode would select (annotation conventions: only when the missing detail changes the code).
SPECIFICITY = {
    "N18": "stage",
    "I50": "type (systolic, diastolic or combined) and acuity",
    "F32": "severity and whether the episode is single or recurrent",
    "F33": "severity",
    "J45": "severity and persistence",
    "I48": "type (paroxysmal, persistent or permanent)",
    "F41": "type",
    "E10": "complications",
}
NOT_OWED = {"E11.9", "E10.9", "E11.65", "K21.9", "I10", "E78.5"}  # conventions: no gap for these


@dataclass
class GapContext:
    doc: Doc
    items: tuple[MDMItem, ...]
    time: TimeResult
    em: EMRecommendation
    icd10cm: tuple[DiagnosisSuggestion, ...]
    inferences: tuple[Inference, ...]


class GapDetectors:
    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.by_label = {d.label: d for d in rules.gaps.detectors}

    def _query(self, detector: GapDetector, indicators: list[Evidence], **fmt: str) -> DraftQuery:
        options = detector.options
        if detector.format == "multiple_choice":
            options = (*options, self.rules.gaps.other_option, self.rules.gaps.undetermined_option)
        return DraftQuery(format=detector.format, question=detector.question.format(**fmt), options=options,
                          indicators=tuple(indicators))

    def _gap(self, out: list[DocumentationGap], label: str, reason: str, indicators: list[Evidence], **fmt: str):
        detector = self.by_label[label]
        if not indicators:
            return  # a query always cites at least one indicator from the note
        out.append(DocumentationGap(id=f"G{len(out) + 1}", label=label, rule_id=detector.id, reason=reason,
                                    query=self._query(detector, indicators, **fmt)))

    def detect(self, ctx: GapContext) -> list[DocumentationGap]:
        doc, out = ctx.doc, []
        self._time(ctx, out)
        self._problems(ctx, out)
        self._specificity(ctx, out)
        self._sentences(ctx, out)
        for inf in ctx.inferences:
            if inf.field == "patient" and not inf.evidence and "assumed" in inf.reason:
                first = next(iter(sents_of(doc)), None)
                if first is not None:
                    self._gap(out, "patient_status_unclear", "new vs established is not stated and was not given",
                              [evidence(doc, first.start_char, first.end_char)])
        return out

    def _time(self, ctx: GapContext, out: list[DocumentationGap]) -> None:
        doc = ctx.doc
        if ctx.time.total_minutes is not None:
            if not ctx.time.activities and ctx.time.allowed:
                self._gap(out, "time_activities_missing", "total time is stated without the activities it covered",
                          list(ctx.time.evidence))
            return
        for sent in sents_of(doc):
            if TIME_WITHOUT_TOTAL.search(sent.text):
                self._gap(out, "time_statement_missing", "time is referred to without a total in minutes",
                          [evidence(doc, sent.start_char, sent.end_char)])
                return

    def _problems(self, ctx: GapContext, out: list[DocumentationGap]) -> None:
        doc = ctx.doc
        blocks = doc._.emcoder_problem_blocks or []
        for block in blocks:
            heading_ev = evidence(doc, block.heading_start, block.heading_end)
            body = block_body(doc, block)
            if block.reason == UNADDRESSED:
                self._gap(out, "problem_not_addressed", "a problem is listed with no assessment or plan", [heading_ev])
                continue
            # A one-line item whose few words say nothing of its status, and whose status is not
            # given elsewhere in the assessment/plan ("2. Hypertension." then "Her hypertension is
            # well controlled..." in PLAN is fine). Section titles and signatures are not words of it.
            if block.counted and block.label == "chronic_stable" and block.rule_id and block.rule_id.endswith(".default.v1") \
                    and 0 < len(body.split()) <= 6 and not any(ch.isdigit() for ch in body) \
                    and not mentioned_elsewhere(doc, block):
                self._gap(out, "problem_status_unclear", "a chronic problem is documented without its status",
                          [heading_ev])
            heading = doc.text[block.heading_start:block.heading_end]
            in_heading = [s for s in block.findings if s.start_char < block.heading_end]
            # Only when the problem itself is the uncertain diagnosis ("Possible pneumonia"), not a
            # symptom qualified by a differential ("Knee pain, possible strain").
            if in_heading and in_heading[0]._.emcoder_assertion == "possible" \
                    and in_heading[0]._.emcoder_kind not in ("symptom", "preventive"):
                self._gap(out, "uncertain_diagnosis", "the assessment leaves a diagnosis uncertain",
                          [heading_ev])
            if FINDING_HEADING.search(heading) and any(i.label == "rx_management" and block.start <= i.evidence[0].start < block.end
                                                     for i in ctx.items):
                self._gap(out, "clinical_indicators_without_diagnosis",
                          "an abnormal finding is treated without a diagnosis named", [heading_ev])


    def _specificity(self, ctx: GapContext, out: list[DocumentationGap]) -> None:
        seen: set[str] = set()
        for dx in ctx.icd10cm:
            rationale = dx.rationale
            unspecified = "unspecified" in dx.description.lower() and dx.code not in NOT_OWED
            missing = SPECIFICITY.get(dx.code[:3]) if unspecified else None
            # Fracture site/type changes treatment and code; an unspecified sprain or contusion
            # site is routinely accepted by coders, so it is not worth a query.
            if missing is None and unspecified and dx.code[0] == "S" and dx.more_specific \
                    and "fracture" in dx.description.lower():
                missing = "specific site or structure injured"
            if missing is None and "side: unspecified" in rationale:
                missing = "laterality (right, left or bilateral)"
            if missing and missing not in seen:
                seen.add(missing)
                self._gap(out, "diagnosis_specificity", f"documentation lacks the {missing}", list(dx.evidence[:1]),
                          missing=missing)

    def _sentences(self, ctx: GapContext, out: list[DocumentationGap]) -> None:
        doc = ctx.doc
        historian = any(i.label == "independent_historian" for i in ctx.items)
        done: set[str] = set()
        for sent in sents_of(doc):
            section = section_at(doc, sent.start_char)
            if section is not None and section.role in ("family", "past"):
                continue
            text = sent.text
            if "data_source_unclear" not in done and RECORDS_NO_SOURCE.search(text) and not SOURCE_NAMED.search(text):
                done.add("data_source_unclear")
                self._gap(out, "data_source_unclear", "records were reviewed with no source named",
                          [evidence(doc, sent.start_char, sent.end_char)])
            if "historian" not in done and not historian and COMPANION.search(text):
                done.add("historian")
                self._gap(out, "independent_historian_unclear",
                          "another person is present but who gave the history is not stated",
                          [evidence(doc, sent.start_char, sent.end_char)])
            if "risk" not in done and BARE_CONTINUE.search(text) and section is not None \
                    and section.role in ("assessment", "plan"):
                named = [s for s in doc.spans.get(SPAN_KEY, []) if s.label_ == "DRUG"
                         and sent.start_char <= s.start_char < sent.end_char]
                if not named and not any(i.label == "rx_management" for i in ctx.items):
                    done.add("risk")
                    self._gap(out, "risk_rationale_missing", "medications are continued without names or reasoning",
                              [evidence(doc, sent.start_char, sent.end_char)])


def coding_flags(selected: str | None, em: EMRecommendation, family_codes: list[str]) -> tuple[CodingFlag, ...]:
    """Compare the author's selected code with the supported one, within the same code family."""
    if not selected:
        return ()
    supported = em.code
    if supported is None:
        return (CodingFlag(kind="over_coding_risk", selected_code=selected, supported_code=None,
                           reason=em.no_em_reason or "the documentation supports no billable E/M"),)
    if selected not in family_codes or supported not in family_codes:
        return ()
    diff = family_codes.index(selected) - family_codes.index(supported)
    if diff > 0:
        return (CodingFlag(kind="over_coding_risk", selected_code=selected, supported_code=supported,
                           reason=f"the documentation supports {supported}: {em.reason}"),)
    if diff < 0:
        return (CodingFlag(kind="under_coding", selected_code=selected, supported_code=supported,
                           reason=f"the documentation supports {supported}: {em.reason}"),)
    return ()
