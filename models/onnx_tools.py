"""ONNX helpers shared by the model build and training scripts.

``quantize_int8_blockwise`` needs the dev extra (``onnx``); ``emotion_outputs``
runs the shipped emotion model with onnxruntime alone.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

BATCH = 64
CACHE_DIR = Path(os.environ.get("INSIGHT_TRAIN_CACHE", "/tmp/insight-train-cache"))


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MiB blocks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _save_cache(store: Path, keys: list[str], probs: np.ndarray, vecs: np.ndarray) -> None:
    store.parent.mkdir(parents=True, exist_ok=True)
    tmp = store.with_name(store.stem + ".tmp.npz")
    np.savez(tmp, keys=np.array(keys), probs=probs, vecs=vecs)
    tmp.replace(store)


def emotion_outputs(
    texts: list[str],
    log: Callable[[str], None] | None = None,
    cache_dir: Path | None = CACHE_DIR,
) -> tuple[np.ndarray, np.ndarray]:
    """The shipped emotion model's probabilities and sentence vectors, one pass.

    The encoder pass is almost all of a training run's time (about 45 texts/s on
    2 shared cores), so outputs are cached per text in ``cache_dir`` (default
    ``$INSIGHT_TRAIN_CACHE`` or /tmp/insight-train-cache), keyed by the SHA-1 of the
    model file and of each text; ``cache_dir=None`` turns the cache off. The
    model's outputs do not depend on the other texts of a batch (block-wise int8),
    and texts run unpadded in batches of 2+ (see below), so cached and fresh rows
    are the same numbers.
    """
    from insight.extract.emotions import EmotionModel, default_model_dir

    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    store: Path | None = None
    known: dict[str, int] = {}
    c_probs = c_vecs = np.zeros((0, 0), dtype=np.float32)
    if cache_dir is not None:
        model_key = file_digest(default_model_dir() / "model.onnx", "sha1")[:16]
        store = cache_dir / f"emotions-{model_key}.npz"
        if store.exists():
            with np.load(store) as z:
                c_keys, c_probs, c_vecs = z["keys"].tolist(), z["probs"], z["vecs"]
            known = {k: i for i, k in enumerate(c_keys)}
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if log is not None:
        log(f"emotion model outputs: {len(texts)} texts, {len(todo)} distinct ones not cached")
    if todo:
        model = EmotionModel.load()
        # Texts run in batches of one token length (no padding, at least 2 rows: a
        # lone text is paired with a copy). onnxruntime's numbers move by ~1e-8 with
        # the padded width and take another kernel for 1-row batches, so this makes
        # a text's outputs depend on the text alone: cached or fresh, the same bytes,
        # and the trained head is byte-identical however the cache was filled.
        lengths = [len(e.ids) for e in model.tokenizer.encode_batch([t for _, t in todo])]
        order = sorted(range(len(todo)), key=lambda j: (lengths[j], todo[j][0]))
        batches: list[list[int]] = []
        for j in order:
            if batches and lengths[batches[-1][0]] == lengths[j] and len(batches[-1]) < BATCH:
                batches[-1].append(j)
            else:
                batches.append([j])
        done = saved = 0
        for b in batches:
            texts_b = [todo[j][1] for j in b]
            p, e = model.predict_with_embeddings(texts_b + texts_b[: 2 - len(b)], BATCH)
            n0 = len(known)
            known.update({todo[j][0]: n0 + r for r, j in enumerate(b)})
            probs_new, vecs_new = p[: len(b)], e[: len(b)]
            c_probs = probs_new if n0 == 0 else np.vstack([c_probs, probs_new])
            c_vecs = vecs_new if n0 == 0 else np.vstack([c_vecs, vecs_new])
            done += len(b)
            if done - saved >= 8192 or done == len(todo):
                if log is not None:
                    log(f"emotion model outputs {done}/{len(todo)}")
                if store is not None:
                    _save_cache(store, list(known), c_probs, c_vecs)
                saved = done
    rows = np.array([known[k] for k in keys], dtype=np.int64)
    return c_probs[rows].astype(np.float32), c_vecs[rows].astype(np.float32)


def quantize_int8_blockwise(fp32: Path, out: Path, block_size: int = 32) -> None:
    """Int8 weights in blocks of ``block_size`` (MatMulNBits) plus an int8 word-embedding table.

    ``accuracy_level=4`` quantizes activations per row and block, so a text's output
    does not depend on the other texts in its batch (``quantize_dynamic`` uses one
    activation scale per tensor, i.e. per batch). The embedding table is a Gather;
    it is stored as int8 with a fixed scale.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    cfg = DefaultWeightOnlyQuantConfig(
        block_size=block_size, is_symmetric=True, bits=8, accuracy_level=4
    )
    q = MatMulNBitsQuantizer(
        onnx.load(str(fp32)), bits=8, block_size=block_size, is_symmetric=True, algo_config=cfg
    )
    q.process()
    nbits = out.with_name(out.stem + ".nbits.onnx")
    q.model.save_model_to_file(str(nbits), False)
    try:
        quantize_dynamic(
            str(nbits), str(out), op_types_to_quantize=["Gather"], weight_type=QuantType.QInt8
        )
    finally:
        nbits.unlink(missing_ok=True)


def minilm_vectors(
    texts: list[str],
    log: Callable[[str], None] | None = None,
    cache_dir: Path | None = CACHE_DIR,
) -> np.ndarray:
    """Stock MiniLM int8 sentence vectors (``insight.embed.OnnxEmbedder``), cached per text.

    The same vectors the ``embed`` stage computes for a study (max 256 tokens, mean
    pooling, L2-normalised). Cached in ``cache_dir`` keyed by the SHA-1 of the model
    file and of each text, like :func:`emotion_outputs`; a text's vector does not
    depend on its batch-mates (block-wise int8), so cached and fresh rows agree.
    """
    from insight.embed import OnnxEmbedder, onnx_model_file

    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    store: Path | None = None
    known: dict[str, int] = {}
    c_vecs = np.zeros((0, 384), dtype=np.float32)
    if cache_dir is not None:
        model_key = file_digest(onnx_model_file(), "sha1")[:16]
        store = cache_dir / f"minilm-{model_key}.npz"
        if store.exists():
            with np.load(store) as z:
                c_keys, c_vecs = z["keys"].tolist(), z["vecs"]
            known = {k: i for i, k in enumerate(c_keys)}
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if log is not None:
        log(f"MiniLM vectors: {len(texts)} texts, {len(todo)} distinct ones not cached")
    if todo:
        embedder = OnnxEmbedder()
        step = 8192
        for s in range(0, len(todo), step):
            part = todo[s : s + step]
            vecs = embedder.encode([t for _, t in part])
            n0 = len(known)
            known.update({k: n0 + r for r, (k, _) in enumerate(part)})
            c_vecs = vecs if n0 == 0 else np.vstack([c_vecs, vecs])
            if log is not None:
                log(f"MiniLM vectors {s + len(part)}/{len(todo)}")
            if store is not None:
                store.parent.mkdir(parents=True, exist_ok=True)
                tmp = store.with_name(store.stem + ".tmp.npz")
                np.savez(tmp, keys=np.array(list(known)), vecs=c_vecs)
                tmp.replace(store)
    rows = np.array([known[k] for k in keys], dtype=np.int64)
    return c_vecs[rows].astype(np.float32)


def encoder_outputs(
    texts: list[str],
    log: Callable[[str], None] | None = None,
    emotion_head: Path | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(28 emotion probabilities, sentence vectors) the sentiment and pain heads read.

    ``emotion_head=None``: the shipped emotion model's own pass (`emotion_outputs`).
    A folder written by ``train_emotion_head.py``: the one-pass alternative, stock
    MiniLM vectors (`minilm_vectors`, the embed stage's vectors) and that head's
    probabilities on them.
    """
    if emotion_head is None:
        return emotion_outputs(texts, log)
    from train_emotion_head import head_probs, load_head

    vecs = minilm_vectors(texts, log)
    return head_probs(load_head(Path(emotion_head)), vecs), vecs


def add_emotion_head_argument(ap: Any) -> None:
    """``--emotion-head DIR`` of the head training scripts (see `encoder_outputs`)."""
    ap.add_argument(
        "--emotion-head",
        type=Path,
        default=None,
        help="one-pass features: stock MiniLM vectors and the probabilities of this head "
        "(a folder written by models/train_emotion_head.py) instead of the emotion model's",
    )
