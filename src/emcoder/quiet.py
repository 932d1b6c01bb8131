"""Keep note text out of logs: dependencies that log tokens are silenced at import.

medspacy imports PyRuSH, which logs every token of the note at DEBUG through loguru to stderr
unless disabled. We never use PyRuSH (see `pipeline/sentences.py`), and we disable its logger
anyway in case a user's pipeline adds it.
"""

from __future__ import annotations

import logging
import warnings

_done = False


def silence_noisy_loggers() -> None:
    global _done
    if _done:
        return
    try:
        from loguru import logger

        for name in ("PyRuSH", "medspacy", "quickumls"):
            logger.disable(name)
    except ImportError:  # pragma: no cover - loguru comes with medspacy
        pass
    for name in ("PyRuSH", "medspacy", "spacy"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # medspacy's matchers warn on every note when one of their pattern kinds is unused.
    warnings.filterwarnings("ignore", message=r"\[W036\]")
    _done = True
