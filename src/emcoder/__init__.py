"""emcoder: evidence-backed E/M levels and code suggestions from clinical notes.

`emcoder.analyze(text, encounter)` returns a typed `Analysis`; nothing is released without a
human coder (see the API service).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from emcoder.analyzer import analyze as analyze
    from emcoder.encounter import Encounter as Encounter
    from emcoder.results import Analysis as Analysis

__all__ = ["analyze", "Analysis", "Encounter", "__version__"]


def __getattr__(name: str) -> Any:
    # Import lazily: the spaCy pipeline is heavy and `emcoder --version` should stay instant.
    if name == "analyze":
        from emcoder.analyzer import analyze

        return analyze
    if name == "Encounter":
        from emcoder.encounter import Encounter

        return Encounter
    if name == "Analysis":
        from emcoder.results import Analysis

        return Analysis
    raise AttributeError(name)
