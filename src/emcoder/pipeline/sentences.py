"""`emcoder_sentences`: sentence boundaries for clinical notes.

Sets `token.is_sent_start`. Notes break units by lines (headings, bullets, list items) as much as
by punctuation, so a line break always starts a sentence, and so does a token after . ! ? or ;
when the next token starts a new clause. This replaces PyRuSH (what `medspacy.load()` uses), which
logs every token of the note at DEBUG level and so would leak PHI into logs.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

END_PUNCT = {".", "!", "?"}


@Language.component("emcoder_sentences")
def emcoder_sentences(doc: Doc) -> Doc:
    for i, token in enumerate(doc):
        if i == 0:
            token.is_sent_start = True
            continue
        prev = doc[i - 1]
        starts = prev.is_space and "\n" in prev.text
        # Dictated notes put two spaces after a period ("left hip.  The left shoulder..."): the
        # extra space is a token of its own, so look past it for the punctuation.
        if not starts and prev.is_space and i >= 2 and not token.is_space:
            prev = doc[i - 2]
        if not starts and prev.text in END_PUNCT and not token.is_space:
            starts = token.is_title or token.is_upper or token.is_digit or token.text in {"•", "-", "*"}
        token.is_sent_start = bool(starts)
    return doc
