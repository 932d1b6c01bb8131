"""E/M code families ordered by level, and how two E/M codes compare.

`em_level(code)` gives `(family, rank)`: rank is 1-based within the family in the order below
(99211 is rank 1 of office_established, 99215 rank 5). No code (`None`) is `(None, 0)`. A code
that is in no family below forms a one-code family of its own, `"unlisted:<code>"`, rank 1.
Codes are looked up exactly as given (no trimming, no modifiers).

`compare_em(gold, pred)`:
- exact: `pred == gold` (both None counts as equal);
- within_one: same family and |rank difference| <= 1; both None: true; one None and the other a
  code: true only when that code has rank 1 in its family; different families: false;
- direction: "over" when same family and pred rank > gold rank, or gold None and pred a code;
  "under" symmetrically; "family_mismatch" when both are codes of different families; else "same".
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES: dict[str, tuple[str, ...]] = {
    "office_new": ("99202", "99203", "99204", "99205"),
    "office_established": ("99211", "99212", "99213", "99214", "99215"),
    "hospital_initial": ("99221", "99222", "99223"),
    "hospital_subsequent": ("99231", "99232", "99233"),
    "observation_same_day": ("99234", "99235", "99236"),
    "hospital_discharge": ("99238", "99239"),
    "consult_office": ("99242", "99243", "99244", "99245"),
    "consult_inpatient": ("99252", "99253", "99254", "99255"),
    "ed": ("99281", "99282", "99283", "99284", "99285"),
    "critical_care": ("99291",),
    "nursing_initial": ("99304", "99305", "99306"),
    "nursing_subsequent": ("99307", "99308", "99309", "99310"),
    "nursing_discharge": ("99315", "99316"),
    "home_new": ("99341", "99342", "99344", "99345"),
    "home_established": ("99347", "99348", "99349", "99350"),
}

_LEVEL: dict[str, tuple[str, int]] = {
    code: (family, rank) for family, codes in FAMILIES.items() for rank, code in enumerate(codes, 1)
}
UNLISTED_PREFIX = "unlisted:"


def em_level(code: str | None) -> tuple[str | None, int]:
    """`(family, rank)` of an E/M code; `(None, 0)` for no code."""
    if code is None:
        return None, 0
    return _LEVEL.get(code, (UNLISTED_PREFIX + code, 1))


def family_codes(family: str) -> tuple[str, ...]:
    """The codes of a family in level order (a one-code tuple for an unlisted code)."""
    if family.startswith(UNLISTED_PREFIX):
        return (family[len(UNLISTED_PREFIX) :],)
    return FAMILIES[family]


@dataclass(frozen=True)
class EmComparison:
    exact: bool
    within_one: bool
    direction: str  # "same", "over", "under" or "family_mismatch"


def compare_em(gold: str | None, pred: str | None) -> EmComparison:
    """Compare a predicted E/M code with the gold one (see the module docstring)."""
    (gf, gr), (pf, pr) = em_level(gold), em_level(pred)
    if gold is None and pred is None:
        return EmComparison(True, True, "same")
    if gold is None:
        return EmComparison(False, pr == 1, "over")
    if pred is None:
        return EmComparison(False, gr == 1, "under")
    if gf != pf:
        return EmComparison(False, False, "family_mismatch")
    direction = "over" if pr > gr else "under" if pr < gr else "same"
    return EmComparison(gold == pred, abs(pr - gr) <= 1, direction)
