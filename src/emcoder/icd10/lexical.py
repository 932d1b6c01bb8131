"""A lexical (TF-IDF) index over the billable codes' descriptions, the fallback for mentions
the curated lexicon does not know. Built on first use (about a second) and kept per code set."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from emcoder.icd10.codeset import CodeSet

TOKEN = re.compile(r"[a-z0-9]+")
STOP = {"of", "the", "and", "or", "with", "without", "in", "to", "a", "an", "for", "on", "by", "due", "other",
        "unspecified", "encounter", "initial", "type", "not", "elsewhere", "classified", "right", "left", "nos"}
MIN_SCORE = 0.55


def tokens(text: str) -> list[str]:
    out = []
    for t in TOKEN.findall(text.lower()):
        if t in STOP:
            continue
        out.append(t[:-1] if len(t) > 4 and t.endswith("s") else t)
    return out


class LexicalIndex:
    def __init__(self, codeset: CodeSet) -> None:
        self.codeset = codeset
        docs = {code: Counter(tokens(codeset.description(code) + " " + " ".join(codeset.inclusion_terms(code))))
                for code in codeset.billable_codes()}
        df: Counter[str] = Counter()
        for counts in docs.values():
            df.update(counts.keys())
        n = len(docs)
        self.idf = {t: math.log(n / (1 + c)) + 1 for t, c in df.items()}
        self.postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self.norm: dict[str, float] = {}
        for code, counts in docs.items():
            weights = {t: c * self.idf[t] for t, c in counts.items()}
            self.norm[code] = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for t, w in weights.items():
                self.postings[t].append((code, w))

    def search(self, text: str, k: int = 1) -> tuple[str, float] | None:
        hits = self.top(text, k)
        return hits[0] if hits and hits[0][1] >= MIN_SCORE else None

    def top(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        q = Counter(tokens(text))
        if not q:
            return []
        qw = {t: c * self.idf.get(t, 0.0) for t, c in q.items()}
        qn = math.sqrt(sum(w * w for w in qw.values())) or 1.0
        scores: dict[str, float] = defaultdict(float)
        for t, w in qw.items():
            for code, dw in self.postings.get(t, ()):
                scores[code] += w * dw
        ranked = sorted(((s / (qn * self.norm[c]), c) for c, s in scores.items()), key=lambda x: (-x[0], x[1]))
        return [(c, round(s, 3)) for s, c in ranked[:k]]


_cache: dict[str, LexicalIndex] = {}


def get_lexical_index(codeset: CodeSet) -> LexicalIndex:
    if codeset.release.id not in _cache:
        _cache[codeset.release.id] = LexicalIndex(codeset)
    return _cache[codeset.release.id]
