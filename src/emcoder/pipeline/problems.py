"""`emcoder_problems`: problems addressed at this visit, classified into the AMA categories.

Sets `doc._.emcoder_problem_blocks` (one `ProblemBlock` per problem heading in the assessment and
plan, with its reasoning/plan lines) and appends one `MDMItem(element="problem")` per problem to
`doc._.emcoder_items`. Only the assessment/plan counts (fact sheet 1.3: a problem is addressed
when this clinician evaluates or treats it; problem-list carry-forward is not addressed). Notes
without an assessment heading fall back to the sentences after an "impression/assessment/plan"
cue, then to every sentence; problems are then one per condition concept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from emcoder.pipeline.common import (
    sent_of, CueGroup, compile_group, evidence, items_of, next_id, register_extensions, section_at,
)
from emcoder.pipeline.findings import SPAN_KEY
from emcoder.results import MDMItem
from emcoder.rules.loader import RuleSet, load_ruleset

SUMMARY_SENTENCE = re.compile(r"\b\d{1,3}[- ](year|yr|month|week)s?[- ]old\b|\bpresents? (today )?(for|with)\b", re.I)
LONG_NAME_CUT = re.compile(r",|;|\s[-–]\s|\s+with\s+|\s+despite\s+|\s+due to\s+", re.I)
CANCER = re.compile(r"\b(cancer|carcinoma|malignan\w*|lymphoma|leukemia|melanoma|sarcoma|myeloma|neoplasm)\b", re.I)
EXPLICIT_THREAT = re.compile(r"\b(threat to (life|limb|bodily function)|life[- ]threatening|threatens? (life|limb))\b", re.I)
DIGIT_ITEM = re.compile(r"^\s*\d{1,2}\s*[.)]\s+")
BULLET = re.compile(r"^\s*[-*•·▪]\s+")
SIGNATURE = re.compile(r",\s*(MD|DO|NP|PA(-C)?|RN|DPT|PT|FNP(-BC)?|ARNP|MBBS|APRN|DNP|CNM)\b|^(dr\.|electronically|signed)", re.I)
PLAN_WORDS = re.compile(r"\b(recheck|return|follow|rest|fluids|up to date|counsel\w*|discuss\w*|advis\w*|ice|elevat\w*|"
                        r"rinses?|continue|schedul\w*|referr?\w*|order\w*|prescri\w*|call|instructions?|precautions|"
                        r"questions|expect\w*|improvement|monitor\w*|diet|exercise|keep|avoid|take|use|apply|"
                        r"plan|will|today|weeks?|months?|days?|placed|discharged|given|administered|notified)\b", re.I)
# A period ends the name unless it closes a courtesy title ("Mrs. Cooper is a 65-year-old...").
SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)\.(\s|$)", re.I)
NUMBERED = re.compile(r"^\s*(?:#\s*\d{1,2}[.):]?|\d{1,2}\s*[.)]|[a-z][.)]|[-*•·▪])\s+")
NEGATORS = re.compile(r"\b(no|not|denies|denied|without|negative for|never|none)\b[^.;,]{0,25}$", re.I)
FALLBACK_CUE = re.compile(r"^\s*(impression|assessment|diagnos[ie]s|plan|a/p)\b", re.I | re.M)
CONDITION_PRIORITY = ["threat", "chronic", "injury", "acute", "minor", "symptom"]


@dataclass
class ProblemBlock:
    heading_start: int
    heading_end: int
    start: int
    end: int
    name: str
    findings: list[Span] = field(default_factory=list)
    label: str | None = None
    rule_id: str | None = None
    cue: tuple[int, int] | None = None
    counted: bool = True
    reason: str | None = None


# Problem labels from least to most complex, to keep the most complex reading of a duplicate.
SEVERITY = ("minor", "acute_uncomplicated", "stable_acute", "acute_uncomplicated_inpatient", "chronic_stable",
            "undiagnosed_uncertain", "chronic_exacerbation", "acute_systemic", "acute_complicated_injury",
            "chronic_severe_exacerbation", "threat_to_life")


def _severity(label: str | None) -> int:
    return SEVERITY.index(label) if label in SEVERITY else -1


UNADDRESSED = "listed with no assessment or plan"
TITLE_LINE = re.compile(r"^\s*[A-Z][A-Z /&]{2,40}:?\s*$")


def block_body(doc: Doc, block: "ProblemBlock", *, own_section: bool = False) -> str:
    """The block's text after its heading, without section titles and signature lines. With
    `own_section`: only the lines below the heading line, inside the heading's section (the rest
    of a one-line item, "HIV with stable control on Atripla", is not a plan of its own)."""
    start, end = block.heading_end, block.end
    section = section_at(doc, block.heading_start) if own_section else None
    if own_section:
        newline = doc.text.find("\n", block.heading_end, block.end)
        start = newline if newline >= 0 else block.end
    if section is not None:
        end = min(end, section.end)
    lines = doc.text[start:end].splitlines()
    kept = [ln for ln in lines if not TITLE_LINE.match(ln) and not SIGNATURE.search(ln.strip())]
    return "\n".join(kept).strip(" .:\n")


def mentioned_elsewhere(doc: Doc, block: "ProblemBlock") -> bool:
    """Whether the problem's condition is named again in the assessment, plan or results (where
    a listed problem may be managed in another paragraph). With no known concept to look for we
    cannot tell, so we assume it is."""
    concepts = {s._.emcoder_concept for s in block.findings if s.start_char < block.heading_end}
    if not concepts:
        return True
    for s in doc.spans.get(SPAN_KEY, []):
        if s.label_ != "CONDITION" or s._.emcoder_concept not in concepts:
            continue
        if block.heading_start <= s.start_char < block.heading_end:
            continue
        section = section_at(doc, s.start_char)
        if section is not None and section.role in ("assessment", "plan", "results"):
            return True
    return False


def assessment_regions(doc: Doc) -> tuple[list[tuple[int, int]], bool]:
    """Char ranges of the assessment/plan; `True` when they come from a fallback, not headings."""
    regions: list[tuple[int, int]] = []
    for sec in doc._.emcoder_sections or ():
        if sec.role in ("assessment", "plan"):
            if regions and regions[-1][1] == sec.start:
                regions[-1] = (regions[-1][0], sec.end)
            else:
                regions.append((sec.start, sec.end))
    if regions:
        return regions, False
    match = FALLBACK_CUE.search(doc.text)
    return [(match.start() if match else 0, len(doc.text))], True


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for line in text[start:end].split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


class ProblemExtractor:
    def __init__(self, nlp: Language, name: str, rules: RuleSet) -> None:
        register_extensions()
        self.name = name
        seg = rules.problems.segmentation
        cues = rules.problems.status_cues
        self.block_label = re.compile(
            r"^\s*(?:[-*•·▪]\s*)?(" + "|".join(re.escape(b) for b in seg.block_labels) + r")\s*:", re.I)
        self.skip = re.compile(r"^\s*(" + "|".join(seg.skip_headings) + r")\b", re.I)
        self.openers = {w.lower() for w in seg.sentence_openers}
        self.bare_titles = {h.lower() for d in rules.sections.sections for h in d.headers}
        self.section_titles = re.compile(
            r"^\s*(" + "|".join(re.escape(h) for d in rules.sections.sections for h in d.headers
                                if len(h) > 2) + r")\s*:\s*", re.I)
        self.cue: dict[str, CueGroup] = {
            name: compile_group(getattr(cues, name)) for name in type(cues).model_fields
            if getattr(cues, name) is not None
        }

    # -- segmentation ---------------------------------------------------------------------------
    def _heading(self, doc: Doc, start: int, end: int) -> tuple[int, int] | None:
        """(start, end) of the problem name when the line opens a problem, else None."""
        text = doc.text
        line = text[start:end]
        stripped = line.strip()
        if not stripped or stripped.lower().rstrip(":") in self.bare_titles:
            return None
        if self.block_label.match(line) and not (stripped[0].isalpha() and self.section_titles.match(line)):
            return None  # "• Medical Reasoning: ..." belongs to the current problem
        lead = len(line) - len(line.lstrip())
        h_start = start + lead
        titled = self.section_titles.match(line)
        if titled:
            h_start = start + titled.end()
        numbered = NUMBERED.match(text[h_start:end])
        if numbered:
            h_start += numbered.end()
        body = text[h_start:end]
        colon = body.find(":")
        if 0 < colon <= 40 and self._is_title(body[:colon]):
            # "MDM/Assessment: Acute STEMI." -> the problem follows the title.
            h_start += colon + 1
            while h_start < end and text[h_start] in " \t":
                h_start += 1
            body = text[h_start:end]
            colon = body.find(":")
        # The name ends at the first colon or sentence end: "1. Pneumonia, improving. Day 3 of..."
        stop = SENTENCE_END.search(body)
        cut = min(x for x in (colon if colon > 0 else len(body), stop.start() if stop else len(body)))
        h_end = h_start + cut
        name = text[h_start:h_end].rstrip(" .;:")
        if len(name.split()) > 12:
            # "Essential hypertension, still above goal despite ..." -> the diagnosis before the
            # first comma, dash or "with" names the problem; the rest is its status.
            short = LONG_NAME_CUT.split(name, maxsplit=1)[0].rstrip(" .;:")
            if short and len(short.split()) <= 8 and self._findings_in(doc, h_start, h_start + len(short), "CONDITION"):
                name = short
        if not name or self.skip.match(name):
            return None
        words = name.split()
        first = re.sub(r"[^a-z/]", "", words[0].lower()) if words else ""
        if first in self.openers:
            return None
        if len(name) > 110 or len(words) > 14:
            return None
        if not (numbered or titled) and len(words) > 8 and not name.endswith(tuple("abcdefghijklmnopqrstuvwxyz")):
            return None
        if SIGNATURE.search(name) or sum(ch.isalpha() for ch in name) < 3:
            return None
        h_end = h_start + len(name)
        if not self._findings_in(doc, h_start, h_end, "CONDITION") and len(name.split()) > 6:
            # "Human immunodeficiency virus disease with stable control on Atripla": an unknown
            # diagnosis is the part before its status.
            short = LONG_NAME_CUT.split(name, maxsplit=1)[0].rstrip(" .;:")
            if short != name and 0 < len(short.split()) <= 6:
                name, words, h_end = short, short.split(), h_start + len(short)
        if not self._findings_in(doc, h_start, h_end, "CONDITION"):
            # An unknown phrase is a problem only when it reads like one: short, and not a plan
            # item (a drug, a test, a number, an instruction).
            if len(words) > 6 or PLAN_WORDS.search(name) or any(ch.isdigit() for ch in name) \
                    or self._findings_in(doc, h_start, h_end, "DRUG") or self._findings_in(doc, h_start, h_end, "TEST"):
                return None
        return h_start, h_end

    @staticmethod
    def _findings_in(doc: Doc, start: int, end: int, label: str) -> list[Span]:
        return [s for s in doc.spans.get(SPAN_KEY, []) if s.label_ == label and start <= s.start_char < end
                and s._.emcoder_kind != "preventive"]

    def _pure_condition(self, doc: Doc, start: int, end: int) -> bool:
        """A bullet that only names a condition ("- Hypertension, stable") opens a problem."""
        name = doc.text[start:end]
        return bool(self._findings_in(doc, start, end, "CONDITION")) and len(name.split()) <= 8 \
            and not PLAN_WORDS.search(name) and not self._findings_in(doc, start, end, "DRUG") \
            and not self._findings_in(doc, start, end, "TEST")

    def _is_title(self, text: str) -> bool:
        parts = [p.strip() for p in re.split(r"[/&]| and ", text.lower()) if p.strip()]
        return bool(parts) and all(p in self.bare_titles for p in parts)

    def _blocks(self, doc: Doc, regions: list[tuple[int, int]]) -> list[ProblemBlock]:
        blocks: list[ProblemBlock] = []
        for r_start, r_end in regions:
            prev_blank = True
            for l_start, l_end in _lines(doc.text, r_start, r_end):
                line = doc.text[l_start:l_end]
                head = self._heading(doc, l_start, l_end)
                if head is None and DIGIT_ITEM.match(line) and SUMMARY_SENTENCE.search(line[:160]):
                    # "1. This is an 88-year-old ... The left hip is a femoral neck fracture.": a
                    # numbered item that opens with a summary names its problem further on.
                    head = self._first_condition(doc, l_start, l_end)
                if head and BULLET.match(line) and blocks and not prev_blank \
                        and not self._pure_condition(doc, head[0], head[1]):
                    head = None  # "- Cephalexin 500 mg ..." under a problem is part of its plan
                # A heading opens a block when it stands after a blank line, is numbered/titled,
                # or the previous block already has body lines (one-line-per-problem lists).
                if head and (prev_blank or NUMBERED.match(line) or self.section_titles.match(line)
                             or not blocks or blocks[-1].end > blocks[-1].heading_end + 1
                             or self._pure_condition(doc, head[0], head[1])):
                    blocks.append(ProblemBlock(head[0], head[1], l_start, l_end, doc.text[head[0]:head[1]]))
                elif blocks and line.strip():
                    blocks[-1].end = l_end
                prev_blank = not line.strip()
        return blocks

    def _first_condition(self, doc: Doc, start: int, end: int) -> tuple[int, int] | None:
        """The first condition named after the item's summary sentence (else within it)."""
        summary = SUMMARY_SENTENCE.search(doc.text, start, end)
        stop = SENTENCE_END.search(doc.text, summary.end(), end) if summary else None
        after = stop.end() if stop else start
        spans = self._findings_in(doc, start, end, "CONDITION")
        for span in [s for s in spans if s.start_char >= after] + [s for s in spans if s.start_char < after]:
            if span._.emcoder_assertion in ("present", "historical") and span._.emcoder_kind != "preventive":
                return span.start_char, span.end_char
        return None

    # -- classification -------------------------------------------------------------------------
    def _cue(self, name: str, text: str, offset: int) -> tuple[int, int] | None:
        """First non-negated match of a cue group in `text`, as note offsets."""
        group = self.cue[name]
        if any(x.search(text) for x in group.exclude):
            return None
        for pattern in group.patterns:
            for m in pattern.finditer(text):
                if not NEGATORS.search(text[max(0, m.start() - 40):m.start()]):
                    return offset + m.start(), offset + m.end()
        return None

    def _classify(self, doc: Doc, block: ProblemBlock) -> None:
        text = doc.text[block.start:block.end]
        heading = [s for s in block.findings if s.start_char < block.heading_end]
        main = [s for s in heading if s._.emcoder_assertion not in ("negated", "family", "hypothetical")]
        kinds = {s._.emcoder_kind for s in main}
        heading_concepts = {s._.emcoder_concept for s in heading}
        # "Hepatitis C. ... labs consistent with hepatitis C, to be confirmed": the body keeps the
        # heading's diagnosis uncertain.
        uncertain_heading = any(s._.emcoder_assertion == "possible" for s in heading) or any(
            s._.emcoder_assertion == "possible" and s._.emcoder_concept in heading_concepts
            and s._.emcoder_kind not in ("symptom", "preventive")
            for s in block.findings if s.start_char >= block.heading_end)
        if kinds and kinds <= {"preventive"}:
            block.counted, block.reason = False, "preventive or administrative item, not a problem"
            return
        if heading and not main:
            block.counted, block.reason = False, "the condition is negated or not the patient's"
            return
        if main and all(s._.emcoder_assertion == "historical" for s in main) and not any(
                s.label_ in ("DRUG", "TEST") for s in doc.spans.get(SPAN_KEY, [])
                if block.heading_end <= s.start_char < block.end):
            block.counted, block.reason = False, "history of a condition no longer treated"
            return
        elsewhere = self._cue("managed_elsewhere", text, block.start)
        if elsewhere and not self._cue("exacerbation", text, block.start):
            block.counted, block.reason = False, "managed by another clinician, not addressed here"
            block.cue = elsewhere
            return
        kind = next((k for k in CONDITION_PRIORITY if k in kinds), None)
        if kind == "symptom":
            # "Shortness of breath. ... I believe this is an exacerbation of her CHF": the body's
            # diagnosis is the problem.
            body_chronic = [s for s in block.findings if s.start_char >= block.heading_end
                            and s._.emcoder_kind == "chronic" and s._.emcoder_assertion == "present"]
            if body_chronic and (self._cue("exacerbation", text, block.start) or self._cue("severe", text, block.start)):
                kind = "chronic"
        if kind is None:
            body_kinds = {s._.emcoder_kind for s in block.findings
                          if s._.emcoder_assertion == "present" and s._.emcoder_kind != "preventive"}
            kind = next((k for k in CONDITION_PRIORITY if k in body_kinds), None)

        def label(lbl: str, cue_name: str | None, cue: tuple[int, int] | None = None) -> None:
            block.label = lbl
            block.rule_id = self.cue[cue_name].id if cue_name else f"mdm.problems.{lbl}.default.v1"
            block.cue = cue

        threat_cue = self._cue("threat_workup", text, block.start)
        explicit = EXPLICIT_THREAT.search(text)
        if explicit:
            return label("threat_to_life", "threat_workup", (block.start + explicit.start(), block.start + explicit.end()))
        if CANCER.search(doc.text[block.heading_start:block.heading_end]) and not any(
                s._.emcoder_assertion == "historical" for s in main):
            if (c := self._cue("active_cancer", text, block.start)):
                return label("threat_to_life", "active_cancer", c)
        if threat_cue and any(s._.emcoder_kind == "threat" and s._.emcoder_assertion != "negated"
                              for s in block.findings):
            # Symptoms worked up at the level of a life-threatening differential (fact sheet 1.3).
            return label("threat_to_life", "threat_workup", threat_cue)
        if kind == "threat" and threat_cue:
            return label("threat_to_life", "threat_workup", threat_cue)
        if kind == "chronic" and not uncertain_heading:
            if (c := self._cue("severe", text, block.start)):
                return label("chronic_severe_exacerbation", "severe", c)
            if (c := self._cue("exacerbation", text, block.start)):
                return label("chronic_exacerbation", "exacerbation", c)
            stable = self._cue("stable", text, block.start)
            if not stable and (c := self._cue("exacerbation_weak", text, block.start)):
                return label("chronic_exacerbation", "exacerbation_weak", c)
            return label("chronic_stable", "stable" if stable else None, stable)
        if kind == "injury":
            if (c := self._cue("complicated_injury", text, block.start)):
                return label("acute_complicated_injury", "complicated_injury", c)
            return label("acute_uncomplicated", None)
        if kind == "minor":
            return label("minor", None)
        own = re.split(r"\n\s*\d{1,2}\s*[.)]\s", text, maxsplit=1)[0]  # not the next numbered item's words
        if kind != "threat" and not uncertain_heading and "self_limited" in self.cue \
                and (c := self._cue("self_limited", own, block.start)) \
                and not self._findings_in(doc, block.start, block.end, "DRUG"):
            return label("minor", "self_limited", c)
        if not uncertain_heading:
            # Treatment started and improving is "stable acute" even for a systemic illness.
            if kind in ("acute", "threat") and (c := self._cue("improving_acute", text, block.start)):
                return label("stable_acute", "improving_acute", c)
            if (c := self._cue("systemic", text, block.start)):
                return label("acute_systemic", "systemic", c)
        if kind == "symptom" or uncertain_heading:
            if (c := self._cue("uncertain", text, block.start)) or uncertain_heading:
                return label("undiagnosed_uncertain", "uncertain", c)
            heading = doc.text[block.heading_start:block.heading_end]
            red = self.cue["red_flag"].search(heading)
            if red and any(s.label_ == "TEST" for s in doc.spans.get(SPAN_KEY, []) if block.start <= s.start_char < block.end
                           + 600):
                return label("undiagnosed_uncertain", "red_flag",
                             (block.heading_start + red.start(), block.heading_start + red.end()))
        return label("acute_uncomplicated", None)

    # -- fallback: one problem per condition concept in assessment sentences ---------------------
    def _concept_blocks(self, doc: Doc, regions: list[tuple[int, int]]) -> list[ProblemBlock]:
        blocks: dict[str, ProblemBlock] = {}
        for span in doc.spans.get(SPAN_KEY, []):
            if span.label_ != "CONDITION" or span._.emcoder_kind == "preventive":
                continue
            if span._.emcoder_assertion in ("negated", "family", "hypothetical", "historical", "conditional"):
                continue
            if not any(a <= span.start_char < b for a, b in regions):
                continue
            sent = sent_of(doc, span.start_char)
            key = span._.emcoder_concept
            if key not in blocks:
                blocks[key] = ProblemBlock(span.start_char, span.end_char, sent.start_char, sent.end_char,
                                           span.text)
            else:
                blocks[key].end = max(blocks[key].end, sent.end_char)
        return sorted(blocks.values(), key=lambda b: b.start)

    @staticmethod
    def _mark_unaddressed(doc: Doc, blocks: list[ProblemBlock]) -> None:
        """A bare list item ("2. Hypertension.") among problems that do have plans, and named
        nowhere else in the assessment/plan, was listed but not addressed: not counted (the AMA
        counts problems addressed) and, in gaps, worth a query."""
        # Only where problems of the same section do carry plans: a bare list under ASSESSMENT
        # whose plans are paragraphs under PLAN is addressed there, in a form we cannot link.
        planned_sections = {section_at(doc, b.heading_start) for b in blocks if block_body(doc, b, own_section=True)}
        for block in blocks:
            heading = doc.text[block.heading_start:block.heading_end]
            if block_body(doc, block) or section_at(doc, block.heading_start) not in planned_sections \
                    or len(heading.split()) > 5 \
                    or any(ch.isdigit() for ch in heading) or mentioned_elsewhere(doc, block):
                continue
            block.counted, block.reason = False, UNADDRESSED

    def __call__(self, doc: Doc) -> Doc:
        regions, fallback = assessment_regions(doc)
        blocks = [] if fallback else self._blocks(doc, regions)
        if not blocks:
            blocks = self._concept_blocks(doc, regions)
        findings = [s for s in doc.spans.get(SPAN_KEY, []) if s.label_ == "CONDITION"]
        items = items_of(doc)
        for block in blocks:
            block.findings = [s for s in findings if block.start <= s.start_char < block.end]
        self._mark_unaddressed(doc, blocks)
        # A problem named twice (assessment and plan) counts once, at its most complex reading.
        keeper: dict[str, ProblemBlock] = {}
        for block in blocks:
            if block.reason == UNADDRESSED:
                continue
            self._classify(doc, block)
            if not block.counted:
                continue
            heading_concepts = {s._.emcoder_concept for s in block.findings if s.start_char < block.heading_end}
            dup_key = "|".join(sorted(heading_concepts)) or block.name.lower().strip()
            kept = keeper.get(dup_key)
            if kept is None:
                keeper[dup_key] = block
                continue
            if _severity(block.label) > _severity(kept.label):
                keeper[dup_key], block = block, kept
            block.counted, block.reason = False, "same problem already counted"
        for block in blocks:
            ev = [evidence(doc, block.heading_start, block.heading_end)]
            if block.cue and not (block.heading_start <= block.cue[0] < block.heading_end):
                ev.append(evidence(doc, *block.cue))
            items.append(MDMItem(
                id=next_id(doc, "P"), element="problem", label=block.label or "acute_uncomplicated",
                description=block.name, evidence=tuple(ev), counted=block.counted and block.label is not None,
                not_counted_reason=block.reason, rule_id=block.rule_id or "mdm.problems.segmentation.v1",
                assertion="present",
            ))
        doc._.emcoder_problem_blocks = blocks
        return doc


@Language.factory("emcoder_problems", assigns=["doc._.emcoder_problem_blocks", "doc._.emcoder_items"],
                  requires=["doc._.emcoder_sections", "doc.spans"], default_config={})
def make_problems(nlp, name):  # untyped: confection cannot resolve postponed annotations
    return ProblemExtractor(nlp, name, load_ruleset())
