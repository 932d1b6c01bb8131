"""`emcoder_assertion`: assertion status of every finding.

Sets `span._.emcoder_assertion` on each span of `doc.spans["emcoder_findings"]` to one of
present, negated, possible, historical, family, hypothetical, conditional. Runs medspacy's
ConText (default English NegEx/ConText rules plus `rules/data/context_rules.yaml`) over the span
group, then applies section rules: a finding in a family-history section is `family`, one in a
past-history/medication list section is `historical` unless ConText says more. When modifiers
conflict, the order below decides (negation beats uncertainty beats history).
"""

from __future__ import annotations

from medspacy.context import ConText, ConTextRule
from spacy.language import Language
from spacy.tokens import Doc

from emcoder.pipeline.common import register_extensions, section_at
from emcoder.pipeline.findings import SPAN_KEY
from emcoder.rules.loader import RuleSet, load_ruleset

CATEGORY_TO_ASSERTION = [
    ("FAMILY", "family"),
    ("NEGATED_EXISTENCE", "negated"),
    ("HYPOTHETICAL", "hypothetical"),
    ("CONDITIONAL", "conditional"),
    ("POSSIBLE_EXISTENCE", "possible"),
    ("HISTORICAL", "historical"),
]


class AssertionTagger:
    def __init__(self, nlp: Language, name: str, rules: RuleSet) -> None:
        register_extensions()
        self.name = name
        self.context = ConText(nlp, name=f"{name}_context", rules="default", input_span_type="group",
                               span_group_name=SPAN_KEY, span_attrs=None, max_scope=None)
        self.context.add([
            ConTextRule(literal=r.literal, category=r.category, direction=r.direction, pattern=r.pattern)
            for r in rules.context.rules
        ])

    def __call__(self, doc: Doc) -> Doc:
        doc = self.context(doc)
        for span in doc.spans.get(SPAN_KEY, []):
            categories = {m.category for m in span._.modifiers}
            assertion = "present"
            for category, value in CATEGORY_TO_ASSERTION:
                if category in categories:
                    assertion = value
                    break
            section = section_at(doc, span.start_char)
            if section is not None and section.role == "family":
                assertion = "family"
            elif section is not None and section.role == "past" and assertion == "present":
                assertion = "historical"
            span._.emcoder_assertion = assertion
        return doc


@Language.factory("emcoder_assertion", assigns=["span._.emcoder_assertion"],
                  requires=["doc.spans"], default_config={})
def make_assertion(nlp, name):  # untyped: confection cannot resolve postponed annotations
    return AssertionTagger(nlp, name, load_ruleset())
