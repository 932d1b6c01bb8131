"""`emcoder_sections`: note sections (HPI, ROS, exam, results, assessment/plan, time...).

Sets `doc._.emcoder_sections`: a list of `SectionSpan(category, role, start, end, title)` in
character offsets, covering the note from its first heading on (text before any heading is an
untitled `preamble`). Headings are found by medspacy's Sectionizer, fed with our versioned
header rules (`rules/data/sections.yaml`) as regular expressions anchored at a line start and
followed by a colon or the end of the line. medspacy's 140 default rules are not loaded: they
expect "Header:" and miss ACI-BENCH's bare upper-case headings, and unanchored they turn prose
("Plan to return...") into headings. A note with no headings at all (dictation) gets one
`unsectioned` section; the extractors then fall back to cue sentences.
"""

from __future__ import annotations

import re

from medspacy.section_detection import Sectionizer, SectionRule
from spacy.language import Language
from spacy.tokens import Doc

from emcoder.pipeline.common import SectionSpan, register_extensions
from emcoder.rules.loader import RuleSet, load_ruleset

SHORT_HEADER = 2  # single letters (S/O/A/P) need a colon, never a bare line


def _header_alternative(header: str) -> str:
    words = r"[ \t]+".join(re.escape(w) for w in header.split())
    tail = r"(?=[ \t]*:)" if len(header) <= SHORT_HEADER else r"(?=[ \t]*(?::|\r?\n|$))"
    return words + tail


def _category_regex(headers: tuple[str, ...]) -> str:
    """All headers of one category as one regex: medspacy runs each rule over the whole note,
    so one rule per category (17) instead of one per header (~200) keeps sectioning cheap."""
    alternatives = "|".join(_header_alternative(h) for h in sorted(headers, key=len, reverse=True))
    # The look-behind keeps "P:" from matching inside "BP:" and "S:" inside "Eyes:".
    return rf"(?i)(?<![\w/&])(?:{alternatives})"


class EmcoderSectionizer:
    def __init__(self, nlp: Language, name: str, rules: RuleSet) -> None:
        register_extensions()
        self.name = name
        self.roles = {d.category: d.role for d in rules.sections.sections}
        # A private pipeline so our sectionizer's span attributes never collide with a user's.
        self._sectionizer = Sectionizer(nlp, name=f"{name}_medspacy", rules=None, require_start_line=True)
        self._sectionizer.add([
            SectionRule(literal=d.headers[0], category=d.category, pattern=_category_regex(d.headers))
            for d in rules.sections.sections
        ])

    def __call__(self, doc: Doc) -> Doc:
        doc = self._sectionizer(doc)
        sections: list[SectionSpan] = []
        for sec in doc._.sections:
            start_tok = sec.title_start if sec.category else sec.body_start
            start = doc[start_tok].idx if start_tok < len(doc) else len(doc.text)
            end = doc[sec.body_end - 1].idx + len(doc[sec.body_end - 1].text) if sec.body_end > 0 else 0
            title = doc[sec.title_start:sec.title_end].text if sec.category else None
            category = sec.category or ("preamble" if len(doc._.sections) > 1 else "unsectioned")
            role = self.roles.get(category, "history")
            if end > start:
                sections.append(SectionSpan(category, role, start, end, title))
        # Stretch each section to the next so that trailing white space belongs somewhere.
        fixed = [SectionSpan(s.category, s.role, s.start, sections[i + 1].start if i + 1 < len(sections)
                             else len(doc.text), s.title) for i, s in enumerate(sections)]
        doc._.emcoder_sections = fixed
        return doc


@Language.factory("emcoder_sections", assigns=["doc._.emcoder_sections"], default_config={})
def make_sections(nlp, name):  # untyped: confection cannot resolve postponed annotations
    return EmcoderSectionizer(nlp, name, load_ruleset())
