"""The emcoder spaCy pipeline: one component per module, registered as spaCy factories."""

from __future__ import annotations

import threading

import spacy
from spacy.language import Language

from emcoder.quiet import silence_noisy_loggers

COMPONENTS = (
    "emcoder_sentences", "emcoder_sections", "emcoder_findings", "emcoder_assertion",
    "emcoder_problems", "emcoder_procedures", "emcoder_data", "emcoder_risk", "emcoder_time",
)
_lock = threading.Lock()
_nlp: Language | None = None


def build_pipeline() -> Language:
    """A blank English pipeline with every emcoder component (no pretrained weights exist here)."""
    silence_noisy_loggers()
    import emcoder.pipeline.factories  # noqa: F401  (registers the factories)

    nlp = spacy.blank("en")
    nlp.max_length = 2_000_000
    for name in COMPONENTS:
        nlp.add_pipe(name)
    return nlp


def get_pipeline() -> Language:
    """The process-wide pipeline, built once (building takes about a second)."""
    global _nlp
    with _lock:
        if _nlp is None:
            _nlp = build_pipeline()
        return _nlp
