"""Injury specificity from the classification's own words (ICD-10-CM chapter 19, S codes).

The synonym lexicon maps "knee sprain" or "finger fracture" to a category; the note often says
more ("posterior cruciate ligament", "distal phalanx of the middle finger", "Colles fracture").
Rather than list every ligament and bone, we read the tabular: among billable S codes of the same
injury kind, side and 7th character, we pick the one whose site words the note documents most
fully, and never one that needs a word the note does not have (guideline I.B.2: code to the
highest specificity documented, and no further).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from emcoder.icd10.codeset import CodeSet

# The injury kind a code's description must name, from the words a clinician uses.
KINDS: dict[str, re.Pattern[str]] = {
    "sprain": re.compile(r"\b(sprain\w*|ligament strain|(acl|pcl|mcl|lcl) strain|(torn|tear of|tears? (of|in)( the)?|rupture of|ruptured) (\w+ )?(\w+ )?ligament|"
                         r"ligament (tear|injury|rupture)|(acl|pcl|mcl|lcl|atfl|ucl) (tear|injury|rupture|sprain))\b", re.I),
    "strain": re.compile(r"\bstrain\w*\b", re.I),
    "fracture": re.compile(r"\b(fracture\w*|fx)\b", re.I),
    "contusion": re.compile(r"\b(contusion\w*|bruis\w*)\b", re.I),
    "laceration": re.compile(r"\blacerat\w*\b", re.I),
    "dislocation": re.compile(r"\bdislocat\w*\b", re.I),
}
# Words a clinician writes for the tabular's words.
EXPANSIONS = {
    "acl": "anterior cruciate ligament", "pcl": "posterior cruciate ligament",
    "mcl": "medial collateral ligament", "lcl": "lateral collateral ligament",
    "ucl": "ulnar collateral ligament", "atfl": "anterior talofibular ligament",
    "pinky": "little", "ulnar": "ulna", "radial": "radius", "lumbar": "lower back",
    "shin": "lower leg", "calf": "lower leg", "ribs": "rib", "toes": "toe", "fingers": "finger",
    "phalanges": "phalanx", "metacarpals": "metacarpal", "metatarsals": "metatarsal",
}
# Description words that are not sites: the kind itself, encounter wording, defaults.
NOT_SITE = {
    "of", "and", "the", "for", "initial", "encounter", "closed", "right", "left", "sprain", "strain", "fracture",
    "contusion", "laceration", "dislocation", "without", "with", "damage", "to", "nail", "displaced", "site",
    "unspecified", "other", "specified", "part", "parts", "muscle", "fascia", "tendon", "level", "foreign", "body",
    "in", "at", "unsp", "routine", "healing", "subsequent", "sequela",
}
# Words whose absence from the note rules a code out even though they are not sites.
MUST_BE_DOCUMENTED = {"nondisplaced", "open", "bilateral", "with"}
WORD = re.compile(r"[a-z]+")


# Single words that mark a mention of each kind, to measure distance from.
ANCHORS = {
    "sprain": re.compile(r"(sprain|ligament|tear|torn|ruptur|strain)"),
    "strain": re.compile(r"strain"),
    "fracture": re.compile(r"(fractur|fx$)"),
    "contusion": re.compile(r"(contusion|bruis)"),
    "laceration": re.compile(r"lacerat"),
    "dislocation": re.compile(r"dislocat"),
}
NAMED_STRUCTURE = re.compile(r"\b(?!(the|a|an|of|right|left|ankle|knee|his|her|its|this|that|collateral|unspecified|lateral|medial|posterior|anterior)\b)"
                             r"[a-z]{4,} (ligament|tendon)\b")
NEAR = 10  # words either side of the injury word that may name its site


def _near_kind(text: str, kind: str) -> set[str]:
    """Words within NEAR words of each mention of the injury kind: "fracture of the distal
    phalanx of the middle finger", not a finger named for another reason later in the sentence."""
    words = _words(text)
    out: set[str] = set()
    anchor = ANCHORS[kind]
    joined = [anchor.match(w) is not None for w in words]
    for i, is_kind in enumerate(joined):
        if is_kind:
            out.update(words[max(0, i - NEAR):i + NEAR + 1])
    # Abbreviations the kind pattern matches as phrases ("ACL tear") expand to several words.
    if not out:
        out = set(words)
    return out


@dataclass(frozen=True)
class Refined:
    code: str
    matched: tuple[str, ...]


def _words(text: str) -> list[str]:
    text = text.lower().replace("'", "")
    for short, long in EXPANSIONS.items():
        text = re.sub(rf"\b{short}\b", long, text)
    return WORD.findall(text)


def _stem_in(word: str, note_words: set[str]) -> bool:
    if word in note_words:
        return True
    # "ulna" ~ "ulnar", "phalanx" ~ "phalangeal": a shared 5-letter stem.
    return len(word) >= 5 and any(w[:5] == word[:5] for w in note_words if len(w) >= 5)


def _description_words(codeset: CodeSet, code: str) -> frozenset[str]:
    return frozenset(WORD.findall(codeset.description(code).lower().replace("'", "")))


_CACHE: dict[tuple[int, str, str], tuple[tuple[str, frozenset[str], frozenset[str]], ...]] = {}


def _candidates(codeset: CodeSet, kind: str, seventh: str) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    key = (id(codeset), kind, seventh)
    if key in _CACHE:
        return _CACHE[key]
    out = []
    for code in codeset.billable_with_prefix("S"):
        if code[-1] != seventh:
            continue
        if kind not in codeset.description(code).lower():  # a substring: "fracture" in "fractures"
            continue
        words = _description_words(codeset, code)
        out.append((code, frozenset(w for w in words if w not in NOT_SITE), words))
    _CACHE[key] = tuple(out)
    return _CACHE[key]


def kind_of(text: str) -> str | None:
    for kind, pattern in KINDS.items():
        if pattern.search(text):
            return kind
    return None


def _vagueness(words: set[str] | frozenset[str], named_structure: bool) -> int:
    """"Unspecified" when the note names nothing more; "other" only when it names a structure
    the classification has no code of its own for (the anterior talofibular ligament)."""
    if "other" in words:
        return 0 if named_structure else 2
    return int("unspecified" in words)


def refine(code: str, kind: str, side: str | None, text: str, codeset: CodeSet) -> Refined | None:
    """A more specific S code than `code` whose every site word the text documents, or None."""
    seventh = code[-1] if len(code.replace(".", "")) == 7 else "A"
    note = _near_kind(text, kind)
    named_structure = NAMED_STRUCTURE.search(" ".join(_words(text))) is not None
    current_words = _description_words(codeset, code)
    current_hits = sum(1 for w in current_words - NOT_SITE if _stem_in(w, note))
    best: tuple[int, int, str, tuple[str, ...]] | None = None
    for cand, site, words in _candidates(codeset, kind, seventh):
        if side in ("right", "left") and ("right" in words or "left" in words) and side not in words:
            continue
        if side is None and ("right" in words or "left" in words) and "unspecified" not in words:
            continue
        if any(w in words and w not in note for w in MUST_BE_DOCUMENTED):
            continue
        if not site or not all(_stem_in(w, note) for w in site):
            continue
        # "Unspecified ligament" is worse than "other ligament" once the note names the ligament.
        vague = _vagueness(words, named_structure)
        score = (len(site), -vague)
        if best is None or score > best[:2]:
            best = (score[0], score[1], cand, tuple(sorted(site)))
    current_vague = _vagueness(current_words, named_structure)
    if best is None or best[2] == code or best[:2] <= (current_hits, -current_vague):
        return None
    return Refined(best[2], best[3])
