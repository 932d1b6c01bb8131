"""Global fixtures: the rule set and the spaCy pipeline are built once per session."""

from __future__ import annotations

import pytest

from emcoder.rules import load_ruleset


@pytest.fixture(scope="session")
def rules():
    return load_ruleset()


@pytest.fixture(scope="session")
def nlp():
    from emcoder.pipeline import get_pipeline

    return get_pipeline()


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/expected/*.json")
