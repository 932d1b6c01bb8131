"""`emcoder_findings`: mentions of conditions, symptoms, tests and drugs.

Sets `doc.spans["emcoder_findings"]`, each span labelled CONDITION, TEST or DRUG, with
`span._.emcoder_kind` (condition kind: chronic/acute/injury/symptom/minor/threat/preventive;
test kind; drug kind: rx/otc/dose/parenteral_controlled) and `span._.emcoder_concept` (a concept
key: the first term of its synonym group, or the test id). Matching is a spaCy PhraseMatcher on
lower-cased tokens over the versioned lexicons; within a label the longest match wins.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from emcoder.pipeline.common import register_extensions
from emcoder.rules.loader import RuleSet, load_ruleset

SPAN_KEY = "emcoder_findings"


class FindingMatcher:
    def __init__(self, nlp: Language, name: str, rules: RuleSet) -> None:
        register_extensions()
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.meta: dict[str, tuple[str, str, str]] = {}  # match key -> (label, kind, concept)
        conditions = rules.problems.conditions
        for kind in ("chronic", "acute", "injury", "symptom", "minor", "threat", "preventive"):
            for group in getattr(conditions, kind):
                self._add("CONDITION", kind, group[0], group, nlp)
        for test in rules.tests.tests:
            self._add("TEST", test.kind, test.id, test.terms, nlp)
        for group in rules.drugs.prescription:
            for term in group:
                self._add("DRUG", "rx", term, (term,), nlp)
        for group in rules.drugs.over_the_counter:
            for term in group:
                self._add("DRUG", "otc", term, (term,), nlp)
        for dd in rules.drugs.dose_dependent:
            for term in dd.drugs:
                self._add("DRUG", "dose", term, (term,), nlp)
        for group in rules.drugs.parenteral_controlled:
            for term in group:
                self._add("DRUG", "parenteral_controlled", term, (term,), nlp)

    def _add(self, label: str, kind: str, concept: str, terms, nlp: Language) -> None:
        key = f"{label}|{kind}|{concept}"
        self.meta[key] = (label, kind, concept)
        variants = list(terms)
        # "Hepatitis C." tokenises its last letter with the period ("C."): match that form too.
        variants += [t + "." for t in terms if len(t.split()[-1]) == 1 and t.split()[-1].isalpha()]
        self.matcher.add(key, [nlp.make_doc(t) for t in variants])

    def __call__(self, doc: Doc) -> Doc:
        by_label: dict[str, list[Span]] = {"CONDITION": [], "TEST": [], "DRUG": []}
        # Later lexicon entries override earlier ones for the same span (dose rules beat rx/otc).
        priority = {"rx": 1, "otc": 1, "dose": 2, "parenteral_controlled": 3}
        best: dict[tuple[str, int, int], tuple[int, str, str]] = {}
        for match_id, start, end in self.matcher(doc):
            label, kind, concept = self.meta[doc.vocab.strings[match_id]]
            rank = priority.get(kind, 0)
            slot = (label, start, end)
            if slot not in best or rank > best[slot][0]:
                best[slot] = (rank, kind, concept)
        for (label, start, end), (_, kind, concept) in best.items():
            span = Span(doc, start, end, label=label)
            span._.emcoder_kind = kind
            span._.emcoder_concept = concept
            by_label[label].append(span)
        kept: list[Span] = []
        for spans in by_label.values():
            for span in filter_spans(spans):
                original = next(s for s in spans if s.start == span.start and s.end == span.end)
                kept.append(original)
        doc.spans[SPAN_KEY] = sorted(kept, key=lambda s: (s.start, s.end))
        return doc


@Language.factory("emcoder_findings", assigns=["doc.spans"], default_config={})
def make_findings(nlp, name):  # untyped: confection cannot resolve postponed annotations
    return FindingMatcher(nlp, name, load_ruleset())
