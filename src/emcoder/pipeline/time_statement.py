"""`emcoder_time`: the documented total practitioner time on the date of the encounter.

Sets `doc._.emcoder_time` to a `TimeFinding(minutes, start, end, activities)` or None. A number
of minutes counts only in a sentence that speaks of total/spent time for this encounter; minutes
of counselling alone, staff time or time on a separately billed procedure do not count (fact
sheet 2.2). When several totals are stated, the one said to be the total wins, else the largest.
"""

from __future__ import annotations

import re

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from emcoder.pipeline.common import sents_of, compile_all, compile_pattern, register_extensions
from emcoder.rules.loader import RuleSet, load_ruleset


@dataclass(frozen=True)
class TimeFinding:
    minutes: int
    start: int
    end: int
    activities: tuple[str, ...]
    rule_id: str


class TimeExtractor:
    def __init__(self, nlp: Language, name: str, rules: RuleSet) -> None:
        register_extensions()
        self.name = name
        t = rules.time.total_time
        self.rule_id = t.id
        self.minutes = compile_all(t.patterns)
        self.cues = compile_all(t.cues)
        self.excluded = compile_all(t.excluded)
        self.counseling_only = compile_all(t.counseling_only)
        self.total = compile_pattern(r"\btotal\b")
        self.activities = [(a.id, compile_pattern(a.pattern)) for a in rules.time.activities]

    def __call__(self, doc: Doc) -> Doc:
        best: tuple[int, int, TimeFinding] | None = None  # (is_total, minutes, finding)
        for sent in sents_of(doc):
            text = sent.text
            if "min" not in text.lower():
                continue
            if not any(c.search(text) for c in self.cues) or any(x.search(text) for x in self.excluded):
                continue
            if any(c.search(text) for c in self.counseling_only):
                continue
            for pattern in self.minutes:
                for m in pattern.finditer(text):
                    minutes = int(m.group("minutes"))
                    if minutes <= 0 or minutes > 600:
                        continue
                    if MORE_THAN.search(text[max(0, m.start() - 25):m.start()]):
                        # "more than 30 minutes" documents time beyond 30: the least that honours it.
                        minutes += 1
                    activities = tuple(name for name, p in self.activities if p.search(text))
                    finding = TimeFinding(minutes, sent.start_char, sent.end_char, activities, self.rule_id)
                    rank = (1 if self.total.search(text) else 0, minutes)
                    if best is None or rank > best[:2]:
                        best = (*rank, finding)
        doc._.emcoder_time = best[2] if best else None
        return doc


MORE_THAN = re.compile(r"(\b(more than|greater than|over|in excess of|exceeding|longer than)|>)\s*$", re.I)


@Language.factory("emcoder_time", assigns=["doc._.emcoder_time"], default_config={})
def make_time(nlp, name):  # untyped: confection cannot resolve postponed annotations
    return TimeExtractor(nlp, name, load_ruleset())
