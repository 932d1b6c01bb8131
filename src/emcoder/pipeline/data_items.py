"""`emcoder_data`: data reviewed and analyzed (MDM element 2).

Appends `MDMItem(element="data")` items to `doc._.emcoder_items`:
- category 1: `test_ordered` / `test_result_reviewed` per unique test (a panel is one test,
  imaging is unique per modality and body region); a result reviewed of a test ordered at this
  visit is not counted again; `external_notes` per unique source; `independent_historian`;
- category 2: `independent_interpretation` (the clinician's own read);
- category 3: `discussion_external` (an exchange with an external physician/QHP).
Tests are found by the findings lexicon; ordered vs reviewed by section (results sections are
reviews) and by cue words in the sentence. Negated, conditional and hypothetical mentions are
not counted ("if not better we could get an MRI" orders nothing).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from emcoder.pipeline.common import (
    CONDITIONAL, PATIENT_REPORTED,
    sent_of, sents_of,
    compile_all, compile_group, evidence, items_of, next_id, register_extensions, section_at,
)
from emcoder.pipeline.findings import SPAN_KEY
from emcoder.pipeline.problems import NEGATORS, SUMMARY_SENTENCE, assessment_regions
from emcoder.results import MDMItem
from emcoder.rules.loader import RuleSet, load_ruleset

RESULT_LINE = re.compile(r"^\s*(?:[-•*]\s*)?([A-Za-z][A-Za-z0-9 /()-]{1,40}?)\s*(?::|\bis\b|\bwas\b|,)?\s*"
                         r"(?:\d+(?:\.\d+)?\s*(?:%|mg/dl|ng/ml|ng/dl|mmol/l|u/l|iu/l|meq/l|pg/ml|g/dl|k/ul|miu/ml)?|"
                         r"(?:elevated|low|high|normal|abnormal|positive|negative|within normal limits))\b", re.I)
REGION_SYNONYMS = {
    "abdominal": "abdomen", "pelvic": "pelvis", "l-spine": "lumbar spine", "lumbar": "lumbar spine",
    "back": "lumbar spine", "spine": "lumbar spine", "c-spine": "cervical spine", "neck": "cervical spine",
    "renal": "kidney", "ruq": "right upper quadrant", "head": "brain",
}
NOT_ASSERTED = {"negated", "hypothetical", "conditional", "family"}
REPEAT = re.compile(r"\b(repeat|again|another|recheck|re-check|follow[- ]?up|new|updated|in \d+ (weeks?|months?))\b", re.I)
EXPLICIT_REVIEW = re.compile(r"\b(i|we) (have )?(reviewed|looked at|went over)\b|\breviewed\b", re.I)
PAST_YEAR = re.compile(r"\b(in|from|on) (\d{1,2}/)?(19|20)\d\d\b|\b\d+ (years?|months?) ago\b|\blast year\b", re.I)


class DataExtractor:
    def __init__(self, nlp: Language, name: str, rules: RuleSet) -> None:
        register_extensions()
        self.name = name
        cues = rules.data_cues
        self.order = compile_group(cues.order_cues)
        self.review = compile_group(cues.review_cues)
        self.not_a_test = compile_all(cues.not_a_test_context)
        self.external = compile_group(cues.external_notes)
        self.historian = compile_group(cues.independent_historian)
        self.interpretation = compile_group(cues.independent_interpretation)
        self.discussion = compile_group(cues.discussion_external)
        self.test_kind = {t.id: t for t in rules.tests.tests}
        self.region = re.compile(r"\b(" + "|".join(re.escape(r) for r in sorted(rules.tests.regions, key=len,
                                                                                   reverse=True)) + r")\b", re.I)

    def _unique_key(self, span: Span) -> str:
        test = self.test_kind[span._.emcoder_concept]
        if not test.region:
            return test.id
        sent = sent_of(span.doc, span.start_char)
        window = sent.text
        rel = span.start_char - sent.start_char
        matches = list(self.region.finditer(window))
        if not matches:
            return f"{test.id}:unspecified"
        nearest = min(matches, key=lambda m: abs(m.start() - rel))
        region = nearest.group(1).lower()
        region = REGION_SYNONYMS.get(region, region)
        return f"{test.id}:{region}"

    def _tests(self, doc: Doc, regions: list[tuple[int, int]], fallback: bool) -> list[tuple[str, str, Span]]:
        found: list[tuple[str, str, Span]] = []  # (label, key, span)
        billed = {p.test_key for p in doc._.emcoder_procedures or () if p.test_key}
        for span in doc.spans.get(SPAN_KEY, []):
            if span.label_ != "TEST" or span._.emcoder_assertion in NOT_ASSERTED:
                continue
            sent = sent_of(doc, span.start_char).text
            if any(p.search(sent) for p in self.not_a_test):
                continue
            section = section_at(doc, span.start_char)
            role = section.role if section else "history"
            in_plan = any(a <= span.start_char < b for a, b in regions)
            if in_plan and SUMMARY_SENTENCE.search(sent):
                continue  # the assessment's opening summary restates the history
            label = None
            if role == "results":
                label = "test_result_reviewed"
            elif in_plan or role in ("assessment", "plan"):
                rel = span.start_char - sent_of(doc, span.start_char).start_char
                if CONDITIONAL.search(sent[:rel]):
                    continue  # "if the pain persists, we will obtain an MRI" orders nothing today
                if self.order.search(sent) and not PAST_YEAR.search(sent):
                    label = "test_ordered"
                elif self.review.search(sent) and not PATIENT_REPORTED.search(sent):
                    label = "test_result_reviewed"
            elif role == "history" and EXPLICIT_REVIEW.search(sent):
                label = "test_result_reviewed"
            if label is None:
                continue
            if label == "test_result_reviewed" and self.interpretation.search(sent):
                continue  # the clinician's own read counts once, as independent interpretation
            key = self._unique_key(span)
            if any(key == b or (b.startswith("xray:") and key.startswith("xray:") and b[5:] in key) for b in billed):
                continue  # billed by this clinician today: not MDM data (separately reported)
            if key == "labs":
                # "labs" counts only when no named laboratory test stands in the same sentence.
                named = [s for s in doc.spans[SPAN_KEY] if s.label_ == "TEST" and sent_of(doc, s.start_char) == sent_of(doc, span.start_char)
                         and s._.emcoder_concept != "labs" and self.test_kind[s._.emcoder_concept].kind == "lab"]
                if named:
                    continue
            found.append((label, key, span))
        return found

    def _unlisted_results(self, doc: Doc, listed: list[tuple[str, str, Span]]) -> list[tuple[str, str, int, int]]:
        """Results-section lines naming a test the lexicon does not know ("Triglycerides 145 mg/dL.")."""
        covered = {sent_of(doc, span.start_char).start_char for _, _, span in listed}
        out = []
        for sent in sents_of(doc):
            section = section_at(doc, sent.start_char)
            if section is None or section.role != "results" or sent.start_char in covered:
                continue
            m = RESULT_LINE.match(sent.text)
            if m and not any(s.label_ == "TEST" for s in doc.spans.get(SPAN_KEY, [])
                             if sent.start_char <= s.start_char < sent.end_char):
                name = " ".join(m.group(1).lower().split())
                out.append(("test_result_reviewed", f"unlisted:{name}", sent.start_char, sent.end_char))
        return out

    def _cue_items(self, doc: Doc) -> list[tuple[str, str, int, int, str]]:
        out = []
        billed = {p.test_key for p in doc._.emcoder_procedures or () if p.test_key}
        sents = list(sents_of(doc))
        for idx, sent in enumerate(sents):
            prev_sent = sents[idx - 1] if idx else None
            section = section_at(doc, sent.start_char)
            if section is not None and section.role in ("family", "past"):
                continue
            text = sent.text
            for label, group in (("external_notes", self.external), ("independent_historian", self.historian),
                                 ("independent_interpretation", self.interpretation),
                                 ("discussion_external", self.discussion)):
                match = group.search(text)
                if match is None or NEGATORS.search(text[max(0, match.start() - 30):match.start()]):
                    continue
                if label == "external_notes":
                    key = f"external:{match.group(match.lastindex or 0).lower()}"
                elif label == "independent_interpretation":
                    key = "interp"
                    # The test read is named in this sentence or the one before ("ECG done. My read: ...").
                    window_start = prev_sent.start_char if prev_sent is not None else sent.start_char
                    tests = {self._unique_key(t) for t in doc.spans.get(SPAN_KEY, []) if t.label_ == "TEST"
                             and window_start <= t.start_char < sent.end_char}
                    if tests and tests <= billed:
                        continue  # the clinician bills this read (e.g. their own ECG): not data
                    key = "interp:" + "+".join(sorted(tests)) if tests else "interp"
                else:
                    key = label
                out.append((label, key, sent.start_char + match.start(), sent.start_char + match.end(),
                            group.id))
        return out

    def __call__(self, doc: Doc) -> Doc:
        regions, fallback = assessment_regions(doc)
        items = items_of(doc)
        tests = self._tests(doc, regions, fallback)
        # A unique test counts once: its result reviewed and a repeat ordered today are one test
        # (the annotation conventions); a mention with no body region yields to one that has it.
        seen_keys: set[str] = set()
        regions_of = {key.split(":")[0] for _, key, _ in tests if ":" in key and not key.endswith(":unspecified")}
        seen: set[tuple[str, str]] = set()
        for label, key, span in tests:
            counted, reason = True, None
            if key in seen_keys:
                counted, reason = False, "same unique test already counted"
            elif key.endswith(":unspecified") and key.split(":")[0] in regions_of:
                counted, reason = False, "same study as a mention that names its body region"
            seen.add((label, key))
            if counted:
                seen_keys.add(key)
            verb = "ordered" if label == "test_ordered" else "result reviewed"
            items.append(MDMItem(
                id=next_id(doc, "D"), element="data", label=label, data_category=1,
                description=f"{key.replace(':', ' of ')} ({verb})", evidence=(evidence(doc, sent_of(doc, span.start_char).start_char,
                                                                                        sent_of(doc, span.start_char).end_char),),
                assertion=span._.emcoder_assertion, counted=counted, not_counted_reason=reason,
                rule_id=(self.order.id if label == "test_ordered" else self.review.id), unique_key=key,
            ))
        for label, key, start, end in self._unlisted_results(doc, tests):
            if key in seen_keys:
                continue
            seen_keys.add(key)
            items.append(MDMItem(
                id=next_id(doc, "D"), element="data", label=label, data_category=1,
                description=f"{key.split(':', 1)[1]} (result reviewed; not in the test lexicon)",
                evidence=(evidence(doc, start, end),), rule_id=self.review.id + ".unlisted_test", unique_key=key,
            ))
        category = {"external_notes": 1, "independent_historian": 1, "independent_interpretation": 2,
                    "discussion_external": 3}
        for label, key, start, end, rule_id in self._cue_items(doc):
            counted = (label, key) not in seen
            seen.add((label, key))
            sent_ev = evidence(doc, start, end)
            items.append(MDMItem(
                id=next_id(doc, "D"), element="data", label=label, data_category=category[label],
                description=label.replace("_", " "), evidence=(sent_ev,), counted=counted,
                not_counted_reason=None if counted else "same source already counted", rule_id=rule_id,
                unique_key=key,
            ))
        return doc


@Language.factory("emcoder_data", assigns=["doc._.emcoder_items"],
                  requires=["doc._.emcoder_sections", "doc.spans"], default_config={})
def make_data(nlp, name):  # untyped: confection cannot resolve postponed annotations
    return DataExtractor(nlp, name, load_ruleset())
