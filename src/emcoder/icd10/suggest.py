"""ICD-10-CM suggestions for one analyzed note, under the outpatient guidelines (Section IV).

Mentions come from the problems addressed (the assessment/plan blocks), assessment and plan
first; each is mapped by the curated synonym lexicon, then by the lexical index of code
descriptions when the lexicon has nothing. Guideline logic applied here:
- uncertain diagnoses ("likely", "rule out", "consistent with") are not coded: the block's
  documented symptoms are (IV.H); negated and family-history mentions are never coded;
- specificity: variants ("uncontrolled" -> with hyperglycemia), laterality, injury 7th
  character (A while in active treatment), type 2 when diabetes type is not documented;
- combinations: diabetes + CKD -> E1x.22; hypertension + heart failure/CKD -> I11/I12/I13
  with the I50/N18 codes (I.C.4, I.C.9);
- long-term drug therapy Z79 codes for continued drugs, by class (never Z79.899);
- Excludes1 pairs are never suggested together; only billable codes are ever returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc

from emcoder.icd10.codeset import CodeSet, normalize
from emcoder.icd10.lexical import MIN_SCORE as MIN_LEXICAL
from emcoder.icd10.lexical import get_lexical_index
from emcoder.icd10.dense import load_index
from emcoder.icd10 import injury
from emcoder.icd10.lexicon import SynonymLexicon, TermMatch
from emcoder.pipeline.common import evidence, section_at, sent_of, sentences_in, sents_of
from emcoder.pipeline.problems import assessment_regions
from emcoder.pipeline.findings import SPAN_KEY
from emcoder.results import DiagnosisSuggestion, Evidence
from emcoder.rules.loader import RuleSet

SIDE = re.compile(r"\b(right|left|bilateral|both|r|l)\b(?!\s*(?:upper|lower) (?:quadrant|lobe))", re.I)
SEQUELA = re.compile(r"\b(sequela|late effect)\b", re.I)
SUBSEQUENT = re.compile(r"\b(routine healing|healing well|subsequent encounter|post[- ]?cast|cast removal)\b", re.I)
DENSE_WEIGHT = 0.85
LIST_ONLY_NOT_ENOUGH = {"Z79.1"}
NOT_CURRENT = re.compile(r"\b(former|ex-|quit|quitting|stopped|denies|denied|no|non-?|never|not a|history of|"
                         r"previous(ly)?|remote)\b[^.;]{0,25}$|^\s*(history|in the past|years ago|previously)", re.I)
INJURY_WORDS = re.compile(r"\b(injur\w*|fracture\w*|sprain\w*|strain\w*|contusion|laceration|abrasion|burn|bite|"
                          r"fall|fell|trauma\w*|dislocat\w*|tear|torn|wound|puncture|poison\w*|overdose|"
                          r"adverse|toxic\w*|foreign body|crush\w*)\b", re.I)
PREGNANCY_WORDS = re.compile(r"\b(pregnan\w*|gestation\w*|prenatal|postpartum|trimester|obstetric\w*)\b", re.I)
UNCERTAIN = re.compile(r"\b(possible|possibly|probable|likely|suspected|suspect|rule out|r/o|consistent with|"
                       r"compatible with|concern for|questionable|versus|vs\.?)\b", re.I)
# Current use: continued or refilled in the sentence, or the drug itself taken or re-dosed
# ("increase metformin to 1000 mg", "she is on metformin"); stopping it is not current use.
CONTINUE = re.compile(r"\b(continue|continued|continuing|remain on|refill|refilled|stay on|currently (on|taking)|takes)\b", re.I)
CURRENT_BEFORE_DRUG = re.compile(r"\b(increase|increased|increasing|decrease|decreased|reduce|reduced|adjust|adjusted|"
                                 r"titrate|titrated|uptitrate|(is|was|has been|been|remains) on|taking|takes)"
                                 r"( (the|his|her|their))?( (dose|dosage) of)?( (her|his|their))?\s*$", re.I)
STOPPED = re.compile(r"\b(discontinu\w*|stop(ped|ping)?|hold|held|off of|no longer)\b", re.I)
# Tobacco: addressed when the assessment/plan treats it (a problem, cessation counselling); its
# type comes from the history wherever the note documents current use.
TOBACCO_ADDRESSED = re.compile(r"\b(smok\w*|tobacco|nicotine|cigarettes?|vap(e|ing))\b", re.I)
CURRENT_TOBACCO = {
    "F17.210": re.compile(r"\b(cigarettes?|cigs|pack[- ]years?|packs?( of cigarettes)? (per|a|/) ?day|ppd|smokes|smoking|smoker)\b", re.I),
    "F17.290": re.compile(r"\b(vap\w*|e-?cig\w*|juul|cigars?|pipe|hookah)\b", re.I),
    "F17.220": re.compile(r"\b(chewing tobacco|chews tobacco|dip|snuff|smokeless tobacco)\b", re.I),
}
FORMER_TOBACCO = re.compile(r"\b(former|ex-?smoker|non-?smoker|never smoked|never a smoker|denies|quit (smoking |tobacco )?"
                            r"(in|at|on|about|over|around|several|many|\d|\w+ (years?|months?|weeks?) ago)|"
                            r"stopped (smoking|tobacco)|quit \d+)", re.I)
CHRONIC_PAIN = re.compile(r"\bchronic\b[^.,;]{0,30}\b(pain|ache|dorsalgia|cervicalgia|lumbago)\b", re.I)
MANAGED = re.compile(r"\b(for (further )?(evaluation|workup|work-up|management|treatment) of (the|his|her|their|this)|"
                     r"to (evaluate|treat|manage) (the|his|her|their|this))\b", re.I)
HYPOTHETICAL = re.compile(r"\b(may|might|could|would|possible|possibly|consider\w*|candidate for|if|should|"
                          r"discuss\w* (the )?(option|risks?)|options? (include|of))\b", re.I)
RANGE_IN_NOTE = re.compile(r"\(([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z-]+)?)(?:-([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z-]+)?))?[^)]*\)")


@dataclass
class Candidate:
    code: str
    group: str | None
    evidence: list[Evidence]
    rationale: str
    rule_id: str
    source: str
    confidence: float
    order: int
    symptom: bool = False
    extra: dict = field(default_factory=dict)


def _side(text: str) -> str | None:
    sides = {m.group(1).lower() for m in SIDE.finditer(text)}
    sides = {"right" if s == "r" else "left" if s == "l" else "bilateral" if s == "both" else s for s in sides}
    if "bilateral" in sides or {"right", "left"} <= sides:
        return "bilateral"
    return next(iter(sides)) if len(sides) == 1 else None


def _with_seventh(base: str, char: str, codeset: CodeSet) -> str | None:
    raw = normalize(base).replace(".", "")
    raw = raw[:6].ljust(6, "X") + char
    code = normalize(raw)
    return code if codeset.is_billable(code) else None


class DiagnosisCoder:
    def __init__(self, rules: RuleSet, lexicon: SynonymLexicon) -> None:
        self.rules = rules
        self.lexicon = lexicon
        self.long_term = [(lt.code, {d.lower() for d in lt.drugs}) for lt in rules.icd10.long_term_drugs]
        self.status_cues = [(e.code, re.compile(e.status_cue, re.I)) for e in rules.icd10.entries
                            if e.anywhere and e.status_cue]

    # -- one term match -> one code -------------------------------------------------------------
    def _resolve(self, match: TermMatch, heading: str, block: str, codeset: CodeSet) -> tuple[str, str]:
        entry = match.entry
        code, cue = self.lexicon.variant(entry, heading + "\n" + block)
        why = f"'{match.term}'" + (f" with '{cue}'" if cue else "")
        if entry.laterality:
            side = _side(heading) or _side(block) or "unspecified"
            code = entry.laterality.get(side) or entry.laterality.get("unspecified") or code
            why += f", side: {side}"
        if entry.seventh:
            char = "S" if SEQUELA.search(block) else "D" if SUBSEQUENT.search(block) else "A"
            code = _with_seventh(code, char, codeset) or code
            why += f", encounter {'active treatment' if char == 'A' else 'subsequent' if char == 'D' else 'sequela'}"
        return code, why

    def _refine_injury(self, doc: Doc, code: str, heading: str, body: str, codeset: CodeSet) -> tuple[str, str]:
        """The most specific injury code the note's words support (see `injury`), else `code`."""
        if not (code.startswith("S") or code.startswith("T14")):
            return code, ""
        kind = injury.kind_of(heading) or injury.kind_of(body)
        if kind is None:
            return code, ""
        # The site is often detailed where the injury is described: HPI, exam, imaging results.
        described = [sent.text for sent in sents_of(doc) if injury.KINDS[kind].search(sent.text)
                     and (section_at(doc, sent.start_char) is None
                          or section_at(doc, sent.start_char).role not in ("family", "past"))]
        desc = codeset.description(code).lower()
        side = "right" if "right" in desc else "left" if "left" in desc else _side(heading) or _side(body)
        refined = injury.refine(code, kind, side, "\n".join([heading, body, *described]), codeset)
        if refined is None:
            return code, ""
        return refined.code, f"; site from the note: {', '.join(refined.matched)}"

    def _resolve_side(self, match: TermMatch, heading: str, body: str, codeset: CodeSet, side: str) -> str:
        code = match.entry.laterality[side]
        if match.entry.seventh:
            char = "S" if SEQUELA.search(body) else "D" if SUBSEQUENT.search(body) else "A"
            code = _with_seventh(code, char, codeset) or code
        return code

    def _block_symptoms(self, doc: Doc, start: int, end: int) -> list[TermMatch]:
        text = doc.text[start:end]
        return [m for m in self.lexicon.find(text) if m.entry.symptom]

    def _assertion_at(self, doc: Doc, start: int, end: int) -> str:
        for span in doc.spans.get(SPAN_KEY, []):
            if span.label_ == "CONDITION" and span.start_char < end and start < span.end_char:
                return span._.emcoder_assertion
        return "present"

    def _from_blocks(self, doc: Doc, codeset: CodeSet) -> list[Candidate]:
        out: list[Candidate] = []
        for order, block in enumerate(doc._.emcoder_problem_blocks or ()):
            if not block.counted and block.reason != "same problem already counted":
                continue
            heading = doc.text[block.heading_start:block.heading_end]
            body = doc.text[block.start:block.end]
            matches = self.lexicon.find(heading)
            uncertain = not matches and (UNCERTAIN.search(heading) is not None or any(
                s._.emcoder_assertion == "possible" for s in block.findings if s.start_char < block.heading_end))
            for m in matches:
                a_start, a_end = block.heading_start + m.start, block.heading_start + m.end
                assertion = self._assertion_at(doc, a_start, a_end)
                if assertion in ("negated", "family", "hypothetical"):
                    continue
                if assertion == "possible" and not m.entry.symptom:
                    uncertain = True
                    continue
                code, why = self._resolve(m, heading, body, codeset)
                codes = [code]
                lat = m.entry.laterality
                if lat and "bilateral" not in lat and (_side(heading) or _side(body)) == "bilateral" \
                        and "right" in lat and "left" in lat:
                    # I.B.13: no bilateral code -> code right and left separately.
                    codes = [c for c in (self._resolve_side(m, heading, body, codeset, side) for side in ("right", "left"))]
                for c in codes:
                    c, more = self._refine_injury(doc, c, heading, body, codeset)
                    out.append(Candidate(c, m.entry.group, [evidence(doc, a_start, a_end)],
                                         f"problem addressed: {why}{more}", "icd10.synonym.v1", "synonym", 0.9, order,
                                         symptom=m.entry.symptom))
                if m.entry.symptom and CHRONIC_PAIN.search(heading) and not codes[0].startswith("G89"):
                    # I.C.6.b.1.a: G89 adds that a site's pain is chronic when documented as such.
                    out.append(Candidate("G89.29", None, [evidence(doc, a_start, a_end)],
                                         "pain documented as chronic (I.C.6.b.1.a)", "icd10.guideline.chronic_pain.v1",
                                         "guideline", 0.6, order, symptom=True))
            if uncertain:
                # IV.H: code the documented signs and symptoms, not the uncertain diagnosis.
                for m in self._block_symptoms(doc, block.start, block.end)[:2]:
                    code, why = self._resolve(m, heading, body, codeset)
                    s = block.start + m.start
                    out.append(Candidate(code, None, [evidence(doc, s, s + len(m.term))],
                                         f"uncertain diagnosis not coded (IV.H); symptom {why}",
                                         "icd10.guideline.uncertain_to_symptom.v1", "guideline", 0.6, order,
                                         symptom=True))
                continue
            if not matches:
                hit = self._lexical_pick(heading, body, codeset)
                if hit is not None:
                    code, score, source = hit
                    for sided in _by_side(code, _side(heading) or _side(body), codeset):
                        sided, _ = self._refine_injury(doc, sided, heading, body, codeset)
                        out.append(Candidate(sided, None, [evidence(doc, block.heading_start, block.heading_end)],
                                             f"problem addressed: '{heading.strip()}' matches the code description "
                                             f"({source} retrieval)", f"icd10.{source}.v1", source,
                                             round(min(0.8, score), 2), order))
        return out

    def _lexical_pick(self, heading: str, body: str, codeset: CodeSet) -> tuple[str, float, str] | None:
        """Best description match (lexical TF-IDF and, when its index is built, dense retrieval),
        re-ranked for side, encounter type and unspecified defaults."""
        scores: dict[str, tuple[float, str]] = {}
        for code, score in get_lexical_index(codeset).top(heading, k=40):
            scores[code] = (score, "lexical")
        dense = load_index(codeset.release.id)
        if dense is not None:
            for code, score in dense.top(heading, k=15):
                # Cosine similarities of MiniLM run higher than TF-IDF cosines: shrink them.
                adjusted = score * DENSE_WEIGHT
                if adjusted > scores.get(code, (0.0, ""))[0]:
                    scores[code] = (adjusted, "dense")
        side = _side(heading) or _side(body)
        mention = heading.lower()
        best: tuple[float, str, str] | None = None
        for code, (score, source) in scores.items():
            desc = codeset.description(code).lower()
            if ("sequela" in desc and "sequela" not in mention) or \
                    ("subsequent encounter" in desc and "subsequent" not in mention) or \
                    "in diseases classified elsewhere" in desc:
                continue  # manifestation codes are never coded from a bare mention
            adj = score
            sides_in_desc = {w for w in ("right", "left", "bilateral") if w in desc}
            if side and sides_in_desc:
                adj += 0.06 if side in sides_in_desc else -0.3
            elif not side and sides_in_desc:
                adj -= 0.05
            if "unspecified" in desc:
                adj += 0.02
            if code[0] in "ST" and not INJURY_WORDS.search(mention):
                adj -= 0.4  # injury and poisoning codes need an injury in the mention
            if code[0] == "O" and not PREGNANCY_WORDS.search(mention):
                adj -= 0.4
            if len(code) == 8 and code[-1] in "BCEFGHJKMNPQR" and "open" not in mention:
                adj -= 0.3  # open fracture / non-initial 7th characters need their words
            if best is None or adj > best[0]:
                best = (adj, code, source)
        if best is None or best[0] < MIN_LEXICAL:
            return None
        return best[1], best[0], best[2]

    def _statuses(self, doc: Doc, order: int) -> list[Candidate]:
        """Statuses that affect care wherever documented (stents, bypass grafts, current smoking)."""
        out: list[Candidate] = self._status_cues(doc, order)
        for m in self.lexicon.find_statuses(doc.text):
            section = section_at(doc, m.start)
            if section is not None and section.role == "family":
                continue
            before = doc.text[max(0, m.start - 40):m.start]
            if NOT_CURRENT.search(before) or NOT_CURRENT.match(doc.text[m.end:m.end + 25]):
                continue
            if self._assertion_at(doc, m.start, m.end) in ("negated", "family", "hypothetical", "possible"):
                continue
            out.append(Candidate(m.entry.code, m.entry.group, [evidence(doc, m.start, m.end)],
                                 f"status documented: '{m.term}'", "icd10.guideline.status.v1", "guideline", 0.6, order))
        return out

    def _managed_mentions(self, doc: Doc, codeset: CodeSet, coded: set[str]) -> list[Candidate]:
        """A condition named inside another problem's plan and managed there in its own right
        ("order an echocardiogram for further evaluation of the murmur") is addressed too."""
        out: list[Candidate] = []
        for order, block in enumerate(doc._.emcoder_problem_blocks or ()):
            if not block.counted:
                continue
            for sent in sentences_in(doc, block.heading_end, block.end):
                if sent.start_char < block.heading_end or not MANAGED.search(sent.text):
                    continue
                if UNCERTAIN.search(sent.text) or HYPOTHETICAL.search(sent.text):
                    continue
                for m in self.lexicon.find(sent.text):
                    if m.entry.anywhere or m.entry.code in coded:
                        continue
                    start, end = sent.start_char + m.start, sent.start_char + m.end
                    if self._assertion_at(doc, start, end) != "present":
                        continue
                    code, why = self._resolve(m, m.term, sent.text, codeset)
                    if code in coded or not codeset.is_billable(code):
                        continue
                    coded.add(code)
                    out.append(Candidate(code, m.entry.group, [evidence(doc, start, end)],
                                         f"managed within the plan: {why}", "icd10.synonym.managed_mention.v1",
                                         "synonym", 0.7, order + 0.5, symptom=m.entry.symptom))
        return out

    def _status_cues(self, doc: Doc, order: int) -> list[Candidate]:
        """Statuses written in free words, one sentence at a time; not in family history, not
        hypothetical ("a stent may be required")."""
        out: list[Candidate] = []
        for code, cue in self.status_cues:
            for sent in sents_of(doc):
                m = cue.search(sent.text)
                if m is None or HYPOTHETICAL.search(sent.text):
                    continue
                section = section_at(doc, sent.start_char)
                if section is not None and section.role == "family":
                    continue
                start = sent.start_char + m.start()
                out.append(Candidate(code, None, [evidence(doc, start, sent.start_char + m.end())],
                                     f"status documented: '{m.group(0)}'", "icd10.guideline.status.v1", "guideline",
                                     0.6, order))
                break
        return out

    def _tobacco(self, doc: Doc, cands: list[Candidate], order: int) -> list[Candidate]:
        """Current tobacco use addressed in the assessment/plan -> F17.2- by product (I.C.5.b)."""
        regions, _ = assessment_regions(doc)
        addressed = None
        for start, end in regions:
            for m in TOBACCO_ADDRESSED.finditer(doc.text, start, end):
                if not NOT_CURRENT.search(doc.text[max(0, m.start() - 40):m.start()]) \
                        and not FORMER_TOBACCO.search(sent_of(doc, m.start()).text) \
                        and not re.match(r"\s*(history|hx)\b", doc.text[m.end():m.end() + 12], re.I) \
                        and self._assertion_at(doc, m.start(), m.end()) not in ("negated", "family"):
                    addressed = m
                    break
            if addressed:
                break
        existing = [c for c in cands if c.code.startswith("F17.2") or c.code == "Z72.0"]
        if addressed is None and not existing:
            return cands
        product = None
        for code, cue in CURRENT_TOBACCO.items():
            for m in cue.finditer(doc.text):
                section = section_at(doc, m.start())
                if section is not None and section.role == "family":
                    continue
                sent = sent_of(doc, m.start())
                lead = doc.text[sent.start_char:m.start()]
                if NOT_CURRENT.search(lead[-40:]) or FORMER_TOBACCO.search(sent.text) \
                        or re.match(r"\s*(history|hx)\b", doc.text[m.end():m.end() + 12], re.I):
                    continue
                product = (code, m)
                break
            if product:
                break
        if product is None:
            return cands
        code, m = product
        first = existing[0] if existing else None
        kept = [c for c in cands if c not in existing]
        ev = ([*first.evidence] if first else [evidence(doc, addressed.start(), addressed.end())]) \
            + [evidence(doc, m.start(), m.end())]
        kept.append(Candidate(code, None, ev, f"current tobacco use addressed; product documented: '{m.group(0)}'",
                              "icd10.guideline.tobacco.v1", "guideline", 0.7, first.order if first else order))
        return kept

    def _long_term_drugs(self, doc: Doc, has_type1: bool, order: int) -> list[Candidate]:
        out: list[Candidate] = []
        seen: set[str] = set()
        for span in doc.spans.get(SPAN_KEY, []):
            if span.label_ != "DRUG" or span._.emcoder_assertion in ("negated", "family", "hypothetical"):
                continue
            section = section_at(doc, span.start_char)
            in_med_list = section is not None and section.category == "medications"
            # Current use: listed among the patient's medications, or continued in the plan.
            sentence = sent_of(doc, span.start_char)
            continued = (CONTINUE.search(sentence.text) or CURRENT_BEFORE_DRUG.search(
                doc.text[max(sentence.start_char, span.start_char - 40):span.start_char])) \
                and not STOPPED.search(sentence.text)
            if not (in_med_list or continued):
                continue
            name = span.text.lower()
            for code, drugs in self.long_term:
                if code in LIST_ONLY_NOT_ENOUGH and not CONTINUE.search(sent_of(doc, span.start_char).text):
                    continue  # OTC-type classes (NSAIDs) need documented continued use, not a list entry
                if name in drugs and code not in seen and not (code == "Z79.4" and has_type1):
                    seen.add(code)
                    out.append(Candidate(code, None, [evidence(doc, sent_of(doc, span.start_char).start_char, sent_of(doc, span.start_char).end_char)],
                                         f"long-term (current) use documented: {span.text}",
                                         "icd10.guideline.long_term_drug.v1", "guideline", 0.7, order))
        return out

    # -- combinations and conflicts -------------------------------------------------------------
    def _combine(self, cands: list[Candidate]) -> list[Candidate]:
        by_group: dict[str, list[Candidate]] = {}
        for c in cands:
            if c.group:
                by_group.setdefault(c.group, []).append(c)
        ckd = next((c for c in by_group.get("ckd", [])), None)
        hf = next((c for c in by_group.get("heart_failure", [])), None)
        for dm in by_group.get("diabetes", []):
            if ckd and dm.code.endswith(".9"):
                # I.A.15 "with": diabetes and CKD are presumed linked.
                dm.code = dm.code[:3] + ".22"
                dm.rationale += "; with CKD (presumed link, I.A.15)"
        for htn in by_group.get("hypertension", []):
            stage5 = bool(ckd and ckd.code in ("N18.5", "N18.6"))
            if hf and ckd:
                htn.code = "I13.2" if stage5 else "I13.0"
            elif hf:
                htn.code = "I11.0"
            elif ckd:
                htn.code = "I12.0" if stage5 else "I12.9"
            else:
                continue
            htn.rationale += "; hypertension with heart and/or kidney involvement is presumed linked (I.C.9.a)"
            htn.rule_id = "icd10.guideline.hypertension_combination.v1"
        return cands

    def _drop_excludes1(self, cands: list[Candidate], codeset: CodeSet) -> list[Candidate]:
        kept: list[Candidate] = []
        for c in cands:
            clash = False
            for k in kept:
                if _excludes(codeset, k.code, c.code) or _excludes(codeset, c.code, k.code):
                    clash = True
                    break
            if not clash:
                kept.append(c)
        return kept

    def suggest(self, doc: Doc, codeset: CodeSet, chief_complaint: str | None) -> list[DiagnosisSuggestion]:
        cands = self._from_blocks(doc, codeset)
        cands += self._managed_mentions(doc, codeset, {c.code for c in cands})
        has_type1 = any(c.code.startswith("E10") for c in cands)
        cands += self._long_term_drugs(doc, has_type1, order=10_000)
        cands += self._statuses(doc, order=10_001)
        cands = self._tobacco(doc, cands, order=10_002)
        cands = self._combine(cands)
        # One suggestion per code; the first mention keeps its place.
        unique: dict[str, Candidate] = {}
        for c in cands:
            if c.code not in unique:
                unique[c.code] = c
            else:
                unique[c.code].evidence += c.evidence
        ordered = sorted(unique.values(), key=lambda c: (c.order, c.symptom))
        # Symptoms integral to a coded diagnosis of the same problem are not coded (I.B.4-6).
        coded_orders = {c.order for c in ordered if not c.symptom and not c.code.startswith("Z")}
        ordered = [c for c in ordered if not (c.symptom and c.order in coded_orders
                                              and c.rule_id != "icd10.guideline.uncertain_to_symptom.v1")]
        ordered = [c for c in ordered if codeset.is_billable(c.code)]
        # Two codes of one category: keep the specific one, drop the "unspecified" twin.
        specific = {c.code[:3] for c in ordered if "unspecified" not in codeset.description(c.code).lower()}
        ordered = [c for c in ordered if not ("unspecified" in codeset.description(c.code).lower()
                                              and c.code[:3] in specific and c.source != "guideline")]
        ordered = self._drop_excludes1(ordered, codeset)
        first = self._first_listed(ordered, chief_complaint)
        out: list[DiagnosisSuggestion] = []
        for c in ([first] if first else []) + [c for c in ordered if c is not first]:
            out.append(DiagnosisSuggestion(
                code=c.code, description=codeset.description(c.code), billable=True, confidence=c.confidence,
                role="first_listed" if c is first else "secondary", evidence=tuple(c.evidence),
                rationale=c.rationale, more_specific=_more_specific(codeset, c.code), rule_id=c.rule_id,
                source=c.source,  # type: ignore[arg-type]
            ))
        return out

    def _first_listed(self, ordered: list[Candidate], chief_complaint: str | None) -> Candidate | None:
        first = self._first_by_complaint(ordered, chief_complaint)
        if first is not None and first.code[:3] in ("N18", "I50"):
            # The combination code's "use additional code" note sequences it before N18/I50.
            combo = next((c for c in ordered if c.code[:3] in ("I11", "I12", "I13")
                          or (c.code[:3] in ("E08", "E09", "E10", "E11", "E13") and c.code[4:5] == "2"
                              and first.code.startswith("N18"))), None)
            if combo is not None:
                return combo
        return first

    def _first_by_complaint(self, ordered: list[Candidate], chief_complaint: str | None) -> Candidate | None:
        if not ordered:
            return None
        if chief_complaint:
            cc_codes = set()
            for m in self.lexicon.find(chief_complaint):
                cc_codes.add(m.entry.code[:3])
            for c in ordered:
                if c.code[:3] in cc_codes and not c.code.startswith("Z"):
                    return c
        return next((c for c in ordered if not c.code.startswith("Z")), ordered[0])


def _by_side(code: str, side: str | None, codeset: CodeSet) -> list[str]:
    """I.B.13: use the side's code; with no bilateral code, code right and left separately."""
    desc = codeset.description(code).lower()
    if side is None or "unspecified" not in desc or not any(w in desc for w in ("side", "limb", "unspecified knee",
                                                                               "unspecified hand", "unspecified foot",
                                                                               "unspecified shoulder", "unspecified hip",
                                                                               "unspecified ankle", "unspecified elbow",
                                                                               "unspecified wrist", "unspecified leg",
                                                                               "unspecified arm", "unspecified ear",
                                                                               "unspecified eye", "unspecified upper",
                                                                               "unspecified lower")):
        return [code]
    stem = desc.replace("unspecified", "").split()
    siblings = [c for c in codeset.billable_with_prefix(code[:-1] if len(code) > 5 else code) if c != code]

    def find(word: str) -> str | None:
        for c in siblings:
            d = codeset.description(c).lower()
            if word in d and len(d.split()) <= len(stem) + 3:
                return c
        return None

    if side == "bilateral":
        both = find("bilateral")
        if both:
            return [both]
        right, left = find("right"), find("left")
        return [right, left] if right and left else [code]
    return [find(side) or code]


def _excludes(codeset: CodeSet, a: str, b: str) -> bool:
    """True when an Excludes1 note of `a` (or its ancestors) names `b`'s category or code."""
    if a[:3] == b[:3]:
        return False
    for note in codeset.excludes1(a):
        for m in RANGE_IN_NOTE.finditer(note):
            lo = m.group(1).rstrip("-").rstrip(".")
            hi = (m.group(2) or m.group(1)).rstrip("-").rstrip(".")
            bb = b.replace(".", "")
            if lo.replace(".", "") <= bb[: len(lo.replace(".", ""))] <= hi.replace(".", ""):
                return True
    return False


def _more_specific(codeset: CodeSet, code: str) -> tuple[str, ...]:
    """For an 'unspecified' code, the billable siblings documentation could support."""
    if "unspecified" not in codeset.description(code).lower():
        return ()
    parent = code[:-1].rstrip(".") if len(code) > 5 else code[:3]
    siblings = [c for c in codeset.billable_with_prefix(parent) if c != code]
    return tuple(siblings[:6])
