"""ICD-10-CM retrieval measured on its own: recall@1/@5 of the gold code from the mention text.

Usage: python eval/retrieval.py [corpora/gold]

Mentions are the gold `elements` of kind `problem` (the coder's quote of each problem addressed);
a mention is a hit at k when one of its note's gold ICD-10-CM codes is among the first k codes a
retriever returns for the quote. This is generous (any of the note's codes counts) but needs no
extra labels. Retrievers: the curated synonym lexicon (one code), the lexical TF-IDF index, the
dense MiniLM index (when built), and the combination the product uses. Also prints the time per
mention each retriever adds.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from emcoder.icd10.codeset import codeset_for
from emcoder.icd10.dense import load_index
from emcoder.icd10.lexical import get_lexical_index
from emcoder.icd10.lexicon import get_lexicon


def mentions(folder: Path) -> list[tuple[str, set[str]]]:
    out = []
    for path in sorted(folder.glob("*.gold.json")):
        gold = json.loads(path.read_text())
        codes = set(gold.get("icd10cm", []))
        for el in gold.get("elements", []):
            if el.get("element") == "problem" and codes:
                out.append((el["quote"], codes))
    return out


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpora/gold")
    items = mentions(folder)
    codeset, _ = codeset_for(None)
    lexicon, lexical, dense = get_lexicon(), get_lexical_index(codeset), load_index(codeset.release.id)

    def synonym(text: str, k: int) -> list[str]:
        return [lexicon.variant(m.entry, text)[0] for m in lexicon.find(text)][:k]

    def lex(text: str, k: int) -> list[str]:
        return [c for c, _ in lexical.top(text, k)]

    def den(text: str, k: int) -> list[str]:
        return [c for c, _ in dense.top(text, k)] if dense else []

    def combined(text: str, k: int) -> list[str]:
        first = synonym(text, k)
        return (first + [c for c in den(text, k) + lex(text, k) if c not in first])[:k]

    print(f"{len(items)} problem mentions from {folder}")
    for name, fn in (("synonym lexicon", synonym), ("lexical tf-idf", lex), ("dense minilm", den),
                     ("combined", combined)):
        if name == "dense minilm" and dense is None:
            print(f"{name:16s} (index not built: emcoder icd10 build-index)")
            continue
        hits1 = hits5 = 0
        start = time.perf_counter()
        for text, gold in items:
            got = fn(text, 5)
            hits1 += bool(got[:1] and got[0] in gold)
            hits5 += bool(set(got[:5]) & gold)
        ms = (time.perf_counter() - start) * 1000 / max(1, len(items))
        print(f"{name:16s} recall@1 {hits1 / len(items):.2f}  recall@5 {hits5 / len(items):.2f}  {ms:.1f} ms/mention")


if __name__ == "__main__":
    main()
