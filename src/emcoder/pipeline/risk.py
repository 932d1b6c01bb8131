"""`emcoder_risk`: risk of patient management (MDM element 3).

Appends `MDMItem(element="risk")` items to `doc._.emcoder_items`, read from the assessment and
plan only (management decisions of this clinician at this visit):
- `rx_management`: a named prescription drug with a decision (start, stop, change, refill, or
  continue when the problem's status is assessed in the same block); a bare "continue current
  medications" names no drug and does not count; OTC drugs are `low`;
- `intensive_toxicity_monitoring`: a monitored drug with its toxicity test in the same block;
- `hospitalization_decision`, `dnr_or_deescalation`, surgery decisions graded minor/major,
  elective/emergency, with/without documented risk factors; `sdoh_limits_care` when a social
  determinant changes the plan; `parenteral_controlled_substance`;
- `low` (a heuristic from the 1995/97 CMS table, not an AMA criterion) for any other plan.
Conditional wording ("go to the ER if...") never counts as a decision.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from emcoder.pipeline.common import (
    CONDITIONAL,
    sent_of, compile_all, compile_group, evidence, items_of, next_id, register_extensions, sentences_in,
)
from emcoder.pipeline.findings import SPAN_KEY
from emcoder.pipeline.problems import NEGATORS, SUMMARY_SENTENCE, assessment_regions
from emcoder.results import MDMItem
from emcoder.rules.loader import RuleSet, load_ruleset

# A drug the lexicon does not know: a capitalised name with a strength, in a sentence that
# prescribes ("Prescription for Cardura 4 mg once a day provided").
UNKNOWN_DRUG = re.compile(r"\b([A-Z][a-zA-Z-]{3,})\s+\d+(?:\.\d+)?\s?(?:mg|mcg)\b")
PRESCRIBING = re.compile(r"\b(prescription|prescribe[ds]?|prescribing|start(ed|ing)?|initiat\w*|increas\w*|decreas\w*|"
                         r"switch\w*|add(ed|ing)?|titrat\w*|refill\w*|sent to (the )?pharmacy)\b", re.I)
DOSE = re.compile(r"(\d+(?:\.\d+)?)\s*(mg|milligrams?)\b", re.I)

class RiskExtractor:
    def __init__(self, nlp: Language, name: str, rules: RuleSet) -> None:
        register_extensions()
        self.name = name
        r = rules.risk_cues
        self.rx = compile_group(r.rx_decision)
        self.continue_words = re.compile(r"\b(" + "|".join(re.escape(w) for w in r.continue_words) + r")\b", re.I)
        self.hosp = compile_group(r.hospitalization)
        self.dnr = compile_group(r.dnr)
        self.major = compile_group(r.surgery.major)
        self.minor = compile_group(r.surgery.minor)
        self.decision = compile_all(r.surgery.decision.patterns)
        self.emergency = compile_all(r.surgery.emergency.patterns)
        self.risk_factors = compile_all(r.surgery.risk_factors.patterns)
        self.sdoh = compile_all(r.sdoh.patterns)
        self.sdoh_requires = compile_all(r.sdoh.requires)
        self.sdoh_id = r.sdoh.id
        self.parenteral_id = r.parenteral_controlled.id
        self.toxicity = compile_group(r.toxicity)
        self.low = compile_group(r.low)
        self.tox_tests = [(set(t.drugs), [re.compile(r"\b" + re.escape(x) + r"\b", re.I) for x in t.tests])
                          for t in rules.drugs.toxicity_monitoring]
        self.dose_limits = {d: dd.otc_max_mg for dd in rules.drugs.dose_dependent for d in dd.drugs}
        self.otc_names = {d.lower() for group in rules.drugs.over_the_counter for d in group}
        self.stable_or_status = compile_all(rules.problems.status_cues.stable.patterns
                                            + rules.problems.status_cues.exacerbation.patterns
                                            + rules.problems.status_cues.exacerbation_weak.patterns)

    @staticmethod
    def _decided(group, text: str):
        """A match not governed by a conditional ("go to the ED if ...") in its own clause."""
        for pattern in group.patterns:
            for m in pattern.finditer(text):
                clause_start = max(text.rfind(";", 0, m.start()), text.rfind(",", 0, m.start()), 0)
                clause_end = min((i for i in (text.find(";", m.end()), text.find(".", m.end())) if i >= 0),
                                 default=len(text))
                clause = text[clause_start:clause_end]
                if not any(x.search(clause) for x in group.exclude):
                    return m
        return None

    def _is_rx(self, span: Span, sent: str) -> bool:
        kind = span._.emcoder_kind
        if kind in ("rx", "parenteral_controlled"):
            return True
        if kind == "dose":
            rel = span.start_char - sent_of(span.doc, span.start_char).start_char
            dose = DOSE.search(sent, rel)
            limit = self.dose_limits.get(span._.emcoder_concept, 0)
            return bool(dose and dose.start() - rel < 30 and float(dose.group(1)) > limit)
        return False

    def _block_text(self, doc: Doc, char: int) -> str:
        for block in doc._.emcoder_problem_blocks or ():
            if block.start <= char < block.end:
                return doc.text[block.start:block.end]
        return ""

    def _add(self, doc: Doc, label: str, description: str, start: int, end: int, rule_id: str) -> None:
        items_of(doc).append(MDMItem(
            id=next_id(doc, "R"), element="risk", label=label, description=description,
            evidence=(evidence(doc, start, end),), rule_id=rule_id,
        ))

    def _drugs(self, doc: Doc, sent: Span, seen: set[str]) -> bool:
        text = sent.text
        found_rx = False
        for span in doc.spans.get(SPAN_KEY, []):
            if span.label_ != "DRUG" or not (sent.start_char <= span.start_char < sent.end_char):
                continue
            if span._.emcoder_assertion in ("negated", "family", "hypothetical"):
                continue
            concept = span._.emcoder_concept
            rel = span.start_char - sent.start_char
            if span._.emcoder_kind == "parenteral_controlled" and f"pcs:{concept}" not in seen:
                seen.add(f"pcs:{concept}")
                self._add(doc, "parenteral_controlled_substance", f"parenteral controlled substance: {span.text}",
                          sent.start_char, sent.end_char, self.parenteral_id)
            if not self._is_rx(span, text):
                if f"otc:{concept}" not in seen and self.rx.search(text):
                    seen.add(f"otc:{concept}")
                    self._add(doc, "low", f"over-the-counter drug: {span.text}", sent.start_char, sent.end_char,
                              self.low.id)
                continue
            decision = self.rx.search(text)
            if decision is None or CONDITIONAL.search(text[:max(rel, decision.start())]):
                continue
            if NEGATORS.search(text[max(0, decision.start() - 25):decision.start()]):
                continue
            if self.continue_words.fullmatch(decision.group(0)) or self.continue_words.search(decision.group(0)):
                # Continuing counts with documented consideration: the block assesses the
                # problem (a status word, a value, or reasoning beyond the drug sentence).
                block = self._block_text(doc, span.start_char)
                rest = block.replace(text, "")
                if not (any(p.search(block) for p in self.stable_or_status) or re.search(r"\d", rest)
                        or len(rest.split()) > 12):
                    continue
            key = f"rx:{concept}"
            if key in seen:
                continue
            seen.add(key)
            found_rx = True
            self._add(doc, "rx_management", f"prescription drug management: {span.text} ({decision.group(0)})",
                      sent.start_char, sent.end_char, self.rx.id)
            self._toxicity(doc, span, seen)
        return found_rx

    def _unknown_drugs(self, doc: Doc, sent: Span, seen: set[str]) -> None:
        text = sent.text
        if not PRESCRIBING.search(text) or CONDITIONAL.search(text):
            return
        known = {s.text.lower() for s in doc.spans.get(SPAN_KEY, []) if s.label_ in ("DRUG", "TEST", "CONDITION")
                 and sent.start_char <= s.start_char < sent.end_char}
        for m in UNKNOWN_DRUG.finditer(text):
            name = m.group(1)
            if name.lower() in known or name.lower() in self.otc_names or f"rx:{name.lower()}" in seen:
                continue
            seen.add(f"rx:{name.lower()}")
            self._add(doc, "rx_management", f"prescription drug management: {name} (not in the drug lexicon)",
                      sent.start_char, sent.end_char, self.rx.id + ".unlisted_drug")

    def _toxicity(self, doc: Doc, span: Span, seen: set[str]) -> None:
        concept = span._.emcoder_concept
        block = self._block_text(doc, span.start_char) or sent_of(doc, span.start_char).text
        for drugs, tests in self.tox_tests:
            if concept not in drugs or f"tox:{concept}" in seen:
                continue
            test = next((t.search(block) for t in tests if t.search(block)), None)
            if test and self.toxicity.search(block):
                seen.add(f"tox:{concept}")
                self._add(doc, "intensive_toxicity_monitoring",
                          f"{span.text} with toxicity monitoring ({test.group(0)})",
                          sent_of(doc, span.start_char).start_char, sent_of(doc, span.start_char).end_char, self.toxicity.id)

    def _surgery(self, doc: Doc, sent: Span, seen: set[str]) -> None:
        text = sent.text
        if not any(p.search(text) for p in self.decision) or CONDITIONAL.search(text):
            return
        block = self._block_text(doc, sent.start_char) or text
        factors = any(p.search(block) for p in self.risk_factors)
        if (m := self.major.search(text)):
            if any(p.search(text) for p in self.emergency):
                label = "emergency_major_surgery"
            else:
                label = "elective_major_surgery_with_risk_factors" if factors else "elective_major_surgery_no_risk_factors"
            what = m.group(0)
        elif (m := self.minor.search(text)):
            label = "minor_surgery_with_risk_factors" if factors else "low"
            what = m.group(0)
        else:
            return
        if f"surg:{label}" in seen:
            return
        seen.add(f"surg:{label}")
        self._add(doc, label, f"decision about {'major' if 'major' in label else 'minor'} procedure: {what}",
                  sent.start_char, sent.end_char, self.major.id if "major" in label else self.minor.id)

    def __call__(self, doc: Doc) -> Doc:
        regions, _ = assessment_regions(doc)
        seen: set[str] = set()
        low_done = False
        for r_start, r_end in regions:
            for sent in sentences_in(doc, r_start, r_end):
                text = sent.text
                if SUMMARY_SENTENCE.search(text):
                    continue  # the assessment's opening summary restates the history
                if not self._drugs(doc, sent, seen):
                    self._unknown_drugs(doc, sent, seen)
                if (m := self._decided(self.hosp, text)) and "hosp" not in seen:
                    seen.add("hosp")
                    self._add(doc, "hospitalization_decision", f"decision about hospitalization: {m.group(0)}",
                              sent.start_char, sent.end_char, self.hosp.id)
                if (m := self.dnr.search(text)) and "dnr" not in seen \
                        and not NEGATORS.search(text[max(0, m.start() - 25):m.start()]):
                    seen.add("dnr")
                    self._add(doc, "dnr_or_deescalation", f"decision about resuscitation/de-escalation: {m.group(0)}",
                              sent.start_char, sent.end_char, self.dnr.id)
                self._surgery(doc, sent, seen)
                if "sdoh" not in seen and any(p.search(text) for p in self.sdoh) \
                        and any(p.search(text) for p in self.sdoh_requires):
                    seen.add("sdoh")
                    self._add(doc, "sdoh_limits_care", "care limited by social determinants of health",
                              sent.start_char, sent.end_char, self.sdoh_id)
                if not low_done and self.low.search(text) and not CONDITIONAL.match(text):
                    low_done = True
                    self._add(doc, "low", "low-risk management (heuristic, not an AMA criterion)",
                              sent.start_char, sent.end_char, self.low.id)
        return doc


@Language.factory("emcoder_risk", assigns=["doc._.emcoder_items"],
                  requires=["doc._.emcoder_problem_blocks", "doc.spans"], default_config={})
def make_risk(nlp, name):  # untyped: confection cannot resolve postponed annotations
    return RiskExtractor(nlp, name, load_ruleset())
