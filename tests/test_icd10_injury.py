"""Injury specificity read from the tabular's words: the most specific S code whose every site
word the note documents near the injury word, and never one that needs an undocumented word."""

from __future__ import annotations

import pytest

from emcoder.icd10 import injury
from emcoder.icd10.codeset import codeset_for


@pytest.fixture(scope="module")
def codeset():
    return codeset_for(None)[0]


@pytest.mark.parametrize(("start", "side", "text", "expected"), [
    ("T14.8XXA", "left", "Left ankle anterior talofibular ligament sprain.", "S93.492A"),
    ("S83.91XA", "right", "Right knee ACL tear confirmed on exam.", "S83.511A"),
    ("S62.609A", "left", "X-ray shows a fracture of the proximal phalanx of the left index finger.", "S62.611A"),
    ("S60.00XA", "right", "Contusion of the right thumb after a door slammed on it.", "S60.011A"),
])
def test_site_words_near_the_injury_refine_the_code(codeset, start, side, text, expected):
    kind = injury.kind_of(text)
    refined = injury.refine(start, kind, side, text, codeset)
    assert refined is not None and refined.code == expected


def test_fracture_defaults_to_displaced_and_never_assumes_nondisplaced(codeset):
    refined = injury.refine("S62.609A", "fracture", "left", "Fracture of the proximal phalanx of the left index finger.", codeset)
    assert refined is not None and "nondisplaced" not in codeset.description(refined.code).lower()


def test_a_site_named_far_from_the_injury_word_is_not_used(codeset):
    text = ("Laceration of the left palm with probable tendon injury, and we will watch closely for any "
            "sensory change in the distribution of the ulnar digital nerve of the ring finger.")
    refined = injury.refine("S61.412A", "laceration", "left", text, codeset)
    assert refined is None or "finger" not in codeset.description(refined.code).lower()


def test_no_site_documented_keeps_the_code(codeset):
    assert injury.refine("S93.401A", "sprain", "right", "Right ankle sprain.", codeset) is None
