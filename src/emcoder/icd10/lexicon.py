"""Find the curated synonym entries named in a piece of text (longest term first)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from emcoder.rules.loader import RuleSet, load_ruleset
from emcoder.rules.schema import IcdEntry


@dataclass(frozen=True)
class TermMatch:
    entry: IcdEntry
    start: int  # offsets within the searched text
    end: int
    term: str


class SynonymLexicon:
    def __init__(self, rules: RuleSet) -> None:
        self.by_term: dict[str, IcdEntry] = {}
        for entry in rules.icd10.entries:
            for term in entry.terms:
                self.by_term.setdefault(term.lower(), entry)
        terms = sorted(self.by_term, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in terms) + r")(?![\w-])", re.I)
        # Statuses are looked for in the whole note: a small pattern of their terms alone is far
        # cheaper than the full lexicon over every sentence.
        status_terms = sorted((t for t, e in self.by_term.items() if e.anywhere), key=len, reverse=True)
        self.status_pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in status_terms) + r")(?![\w-])",
                                         re.I) if status_terms else None
        self.variant_patterns = {
            (entry.code, v.cue): re.compile(v.cue, re.I) for entry in rules.icd10.entries for v in entry.variants
        }

    def find(self, text: str) -> list[TermMatch]:
        """Non-overlapping matches, longest term first at each position."""
        return [TermMatch(self.by_term[m.group(1).lower()], m.start(1), m.end(1), m.group(1))
                for m in self.pattern.finditer(text)]

    def find_statuses(self, text: str) -> list[TermMatch]:
        """Matches of terms whose entries are statuses coded wherever documented (`anywhere`)."""
        if self.status_pattern is None:
            return []
        return [TermMatch(self.by_term[m.group(1).lower()], m.start(1), m.end(1), m.group(1))
                for m in self.status_pattern.finditer(text)]

    def variant(self, entry: IcdEntry, context: str) -> tuple[str, str | None]:
        """The most specific code the context supports, and the cue that chose it."""
        for v in entry.variants:
            for m in self.variant_patterns[(entry.code, v.cue)].finditer(context):
                if not _hedged(context, m.start()):
                    return v.code, m.group(0)
        return entry.code, None


# A specificity cue only counts when asserted: "assess for potential sources of anemia or GI
# bleed" does not make the anemia one due to blood loss (guideline IV.H: no uncertain diagnoses).
HEDGE = re.compile(
    r"\b(no|not|denies|denied|without|negative for|rule out|r/o|assess(ing)? for|evaluat(e|ion|ing) for|work ?up for|"
    r"screen(ing)? for|look(ing)? for|sources? of|concern(ed)? (for|about)|possible|possibly|probable|suspected|"
    r"risk of|if|to prevent|prevention of|versus|vs)\b[^.;\n]*$", re.I)


def _hedged(text: str, at: int) -> bool:
    start = max(text.rfind(".", 0, at), text.rfind("\n", 0, at), text.rfind(";", 0, at)) + 1
    return HEDGE.search(text[start:at]) is not None


@lru_cache(maxsize=1)
def get_lexicon() -> SynonymLexicon:
    return SynonymLexicon(load_ruleset())
