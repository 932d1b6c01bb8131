"""Entry point for spaCy: importing this module registers every emcoder factory.

`pyproject.toml` advertises these names under `spacy_factories`, so `spacy.load()` of a saved
pipeline, or `nlp.add_pipe("emcoder_problems")` in anyone's pipeline, works without an import.
"""

from emcoder.pipeline.assertion import make_assertion
from emcoder.pipeline.data_items import make_data
from emcoder.pipeline.findings import make_findings
from emcoder.pipeline.problems import make_problems
from emcoder.pipeline.procedures import make_procedures
from emcoder.pipeline.risk import make_risk
from emcoder.pipeline.sections import make_sections
from emcoder.pipeline.sentences import emcoder_sentences as make_sentences
from emcoder.pipeline.time_statement import make_time

__all__ = ["make_assertion", "make_data", "make_findings", "make_problems", "make_procedures", "make_risk", "make_sections",
           "make_sentences", "make_time"]
