"""`emcoder_procedures`: procedures and in-office tests this clinician performed today.

Sets `doc._.emcoder_procedures`: a list of `ProcedureFinding(code, description, start, end,
rule_id, modifier25, test_key)`. A service counts only when its sentence says it was done
(performed, obtained, injected... today / in the office) and not merely planned; an x-ray needs
its region and number of views to determine the code (annotation conventions). `test_key`
names the MDM data item the billed test would otherwise be, so `emcoder_data` does not count it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from emcoder.pipeline.common import sents_of, compile_pattern, register_extensions, section_at
from emcoder.rules.loader import RuleSet, load_ruleset

WORD_NUMBERS = {"one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "1-2": 2, "2-3": 3}


@dataclass(frozen=True)
class ProcedureFinding:
    code: str
    description: str
    start: int
    end: int
    rule_id: str
    modifier25: bool
    test_key: str | None


class ProcedureFinder:
    def __init__(self, nlp: Language, name: str, rules: RuleSet) -> None:
        register_extensions()
        self.name = name
        p = rules.procedures
        self.performed = compile_pattern(p.performed)
        self.not_performed = compile_pattern(p.not_performed)
        self.elsewhere = compile_pattern(p.elsewhere)
        self.xray = p.xray
        self.xray_trigger = compile_pattern(p.xray.trigger)
        self.views = compile_pattern(p.xray.views)
        self.regions = [(compile_pattern(rf"\b({r.region})\b"), r) for r in p.xray.regions]
        self.services = [(compile_pattern(s.trigger), s) for s in p.services]

    def _done(self, text: str, at: int, procedure_note: bool = False) -> bool:
        if self.elsewhere.search(text):
            return False
        if procedure_note:
            return True  # a procedure section documents what was done
        done = self.performed.search(text)
        if done is None:
            return False
        return not self.not_performed.search(text[: max(at, done.start())])

    def _xray(self, text: str) -> tuple[str, str, str] | None:
        trig = self.xray_trigger.search(text)
        if not trig or not self._done(text, trig.start()):
            return None
        views = self.views.search(text)
        n = None
        if views:
            raw = views.group(1).lower()
            n = WORD_NUMBERS.get(raw) or int(raw)
        for pattern, region in self.regions:
            if pattern.search(text):
                if n is None:
                    # Without the number of views the code is determinable only for a region
                    # with a single code (e.g. toes).
                    if len(region.codes) != 1:
                        return None
                    n = region.codes[0].min_views
                fitting = [c for c in region.codes if c.min_views <= n]
                if fitting:
                    best = fitting[-1]
                    key = region.region.split("|")[0]
                    return best.code, best.description, f"xray:{key}"
        return None

    def __call__(self, doc: Doc) -> Doc:
        found: list[ProcedureFinding] = []
        codes: set[str] = set()
        for sent in sents_of(doc):
            section = section_at(doc, sent.start_char)
            if section is not None and section.role in ("past", "family"):
                continue
            text = sent.text
            xray = self._xray(text)
            if xray and xray[0] not in codes:
                codes.add(xray[0])
                found.append(ProcedureFinding(xray[0], xray[1], sent.start_char, sent.end_char, self.xray.id,
                                              False, xray[2]))
            in_procedure = section is not None and section.role == "procedure"
            for pattern, rule in self.services:
                m = pattern.search(text)
                if m and rule.code not in codes and self._done(text, m.start(), in_procedure):
                    codes.add(rule.code)
                    key = "ecg" if rule.code == "93000" else None
                    found.append(ProcedureFinding(rule.code, rule.description, sent.start_char, sent.end_char,
                                                  rule.id, rule.modifier25, key))
        doc._.emcoder_procedures = found
        return doc


@Language.factory("emcoder_procedures", assigns=["doc._.emcoder_procedures"], default_config={})
def make_procedures(nlp, name):  # untyped: confection cannot resolve postponed annotations
    return ProcedureFinder(nlp, name, load_ruleset())
