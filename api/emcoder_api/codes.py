"""Check codes a coder types (modifications, additions) before they reach the record.

ICD-10-CM: valid and billable (a leaf of the tabular) in the bundled code set, with or without
the dot. CPT/HCPCS: shape only (the CPT list is licensed, so it is not bundled): five
characters (`99214`, `0001U`) or a HCPCS Level II code (`G2212`), optional `-XX` modifiers.
"""

from __future__ import annotations

import re

from emcoder_api.errors import invalid

CPT = re.compile(r"^(?:[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})(?:-[0-9A-Z]{2}){0,4}$")
ICD_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$")


def icd10cm(code: str, field: str = "code") -> str:
    """Return the dotted form of a billable ICD-10-CM code, or raise a 422 naming the code."""
    import simple_icd_10_cm as cm  # imported late: loading the code set takes a moment

    raw = code.strip().upper()
    if ICD_SHAPE.match(raw) and cm.is_valid_item(raw) and cm.is_leaf(raw):
        return cm.add_dot(raw) if "." not in raw else raw
    raise invalid("unknown_code", f"{_shown(code)} is not a valid, billable ICD-10-CM code", field)


def cpt(code: str, field: str = "code") -> str:
    """Return the upper-cased CPT/HCPCS code (with modifiers), or raise a 422 naming the code."""
    raw = code.strip().upper()
    if CPT.match(raw):
        return raw
    raise invalid("unknown_code", f"{_shown(code)} is not a CPT/HCPCS code (99214, G2212, 99214-25)", field)


def for_kind(kind: str, code: str, field: str = "code") -> str:
    return icd10cm(code, field) if kind == "icd10cm" else cpt(code, field)


def _shown(code: str) -> str:
    """Name the code in the message, but never echo a long paste (it could be note text)."""
    return repr(code) if len(code) <= 16 else f"{code[:12]!r}... ({len(code)} characters)"
