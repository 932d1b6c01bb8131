"""Every emcoder spaCy factory stays registered and advertised by entry point (golden list)."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import spacy

GOLDEN = Path(__file__).parent / "golden" / "factory_registrations.json"


def test_factories_match_golden():
    expected = json.loads(GOLDEN.read_text())
    advertised = sorted(ep.name for ep in entry_points(group="spacy_factories") if ep.name.startswith("emcoder_"))
    assert advertised == expected
    nlp = spacy.blank("en")
    for name in expected:
        assert nlp.has_factory(name), f"{name} is not registered"


def test_components_usable_in_any_pipeline():
    nlp = spacy.blank("en")
    for name in ("emcoder_sentences", "emcoder_sections", "emcoder_findings", "emcoder_assertion"):
        nlp.add_pipe(name)
    doc = nlp("ASSESSMENT AND PLAN\n\nNo evidence of pneumonia.\n")
    assert [s._.emcoder_assertion for s in doc.spans["emcoder_findings"]] == ["negated"]
