"""Validate a note before analysis: clear errors naming the problem, never echoing the content."""

from __future__ import annotations

import re
import unicodedata

from emcoder.errors import InputError

MAX_NOTE_CHARS = 200_000  # about 60 pages; larger inputs are almost always a pasted export
MIN_LETTERS = 3
COMMON_ENGLISH = re.compile(
    r"\b(the|and|of|to|with|for|is|was|patient|pain|no|in|on|she|he|her|his|history|plan|denies|will)\b", re.I)


def decode_note(raw: bytes, field: str = "note") -> str:
    """Bytes from a file or request body to text; binary and non-UTF-8 input is refused."""
    if b"\x00" in raw[:8192]:
        raise InputError(field, "looks like a binary file (NUL bytes); send the note as UTF-8 text",
                         error_code="note_binary")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(field, f"is not valid UTF-8 (first bad byte at offset {exc.start}); "
                                "re-save the note as UTF-8", error_code="note_not_utf8") from None
    return text


def validate_note(text: str, field: str = "note") -> str:
    """Return the note unchanged when usable, else raise InputError with a stable error code."""
    if not isinstance(text, str):
        raise InputError(field, "must be text", error_code="note_type")
    if len(text) > MAX_NOTE_CHARS:
        raise InputError(field, f"is {len(text)} characters; the limit is {MAX_NOTE_CHARS}",
                         error_code="note_too_large")
    if "\x00" in text:
        raise InputError(field, "contains NUL characters (binary content?)", error_code="note_binary")
    letters = sum(1 for ch in text if ch.isalpha())
    if not text.strip() or letters < MIN_LETTERS:
        raise InputError(field, "is empty or has no words", error_code="note_empty")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(10, len(text) // 100):
        raise InputError(field, "contains many control characters (binary content?)", error_code="note_binary")
    ascii_letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    words = len(re.findall(r"\w+", text))
    if letters >= 40 and (ascii_letters / letters < 0.6 or (words >= 30 and not COMMON_ENGLISH.search(text))):
        raise InputError(field, "does not look like English; emcoder's rules cover English notes only",
                         error_code="note_not_english")
    return text
