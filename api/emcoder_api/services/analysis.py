"""Check a note and run `emcoder.analyze` on it, outside any database transaction.

Analysis of a long note takes seconds, so routes run it before taking the audit lock. The spaCy
pipeline is shared and not documented as thread-safe, so one analysis runs at a time.
"""

from __future__ import annotations

import threading

from emcoder.encounter import Encounter
from emcoder.errors import InputError
from emcoder.note_input import validate_note
from emcoder.results import Analysis
from emcoder_api.errors import ApiError

_pipeline_lock = threading.Lock()


def check_note(text: str, max_bytes: int, field: str = "note") -> int:
    """Size (413) and content (422) checks; returns the note's UTF-8 size."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise InputError(field, "is not valid Unicode text (lone surrogates)", error_code="note_not_utf8") from None
    if size > max_bytes:
        raise ApiError(413, "note_too_large", f"{field} is {size} bytes; the limit is {max_bytes}", field)
    validate_note(text, field)
    return size


def analyze(text: str, context: Encounter, max_bytes: int) -> Analysis:
    check_note(text, max_bytes)
    from emcoder.analyzer import analyze as run  # heavy import, deferred to first use

    with _pipeline_lock:
        return run(text, context)


WARM_UP_NOTE = "Assessment and plan: hypertension, stable. Continue lisinopril 20 mg daily."


def warm_up() -> None:
    """Build the pipeline and its lazy indexes now, so the first note does not wait for them."""
    from emcoder.analyzer import analyze as run

    with _pipeline_lock:
        run(WARM_UP_NOTE, Encounter())
