"""GoEmotions emotions per text: 28 label probabilities, label sets, Ekman groups, intensity.

The shipped model (``models/emotions/``) is all-MiniLM-L6-v2 fine-tuned on
GoEmotions train and quantized to int8 ONNX by ``models/train_emotions.py``;
inference needs only ``onnxruntime`` and ``tokenizers`` (no torch).

Definitions (all documented in ``models/emotions/README.md`` too):

- **label set** (`predict`): the labels whose probability reaches their own
  threshold (tuned per label on GoEmotions dev). When none does, the label
  with the highest probability-to-threshold ratio is returned, so every
  non-empty text gets at least one label (GoEmotions gives every comment one).
- **Ekman probabilities** (`ekman_proba`): per group (anger, disgust, fear,
  joy, sadness, surprise, neutral) the highest probability among its member
  labels (``ekman_mapping.json``).
- **dominant Ekman group** (`ekman`): the group with the highest Ekman
  probability, i.e. the group of the single most probable label. (On GoEmotions
  dev this scored 0.60 macro-F1 against the gold group sets, against 0.56 for
  picking the label that clears its own threshold by the widest margin.)
- **intensity** (`intensity`): the highest probability among the 27 non-neutral
  labels, in [0, 1]; 0 for empty text.
- **empty text** (empty or whitespace only) is not run through the model: it
  gets probability 1 for neutral and 0 elsewhere, label set ``["neutral"]``,
  Ekman ``neutral`` and intensity 0.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from insight.errors import ModelError
from insight.resources import MODELS_ENV, model_path

EKMAN_GROUPS = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
NEUTRAL = "neutral"
MODEL_DIR_NAME = "emotions"
PROBS_OUTPUT = "probs"
EMBEDDING_OUTPUT = "embedding"
HIDDEN_OUTPUT = "last_hidden_state"  # stock MiniLM's, in joint.onnx only
JOINT_FILE = "joint.onnx"


def default_model_dir() -> Path:
    """``$INSIGHT_MODELS_DIR/emotions`` if set, else ``models/emotions`` at the repo root."""
    return model_path(MODEL_DIR_NAME)


class EmotionLabels:
    """Label sets, Ekman groups and intensity from GoEmotions probabilities.

    The part every emotion model shares, whatever computes the probabilities
    (`EmotionModel`: the fine-tuned encoder; `VectorEmotionModel`: a head on
    sentence vectors).

    Args:
        labels: the label names in the model's output order.
        thresholds: one decision threshold per label.
        ekman_mapping: Ekman group -> member labels (neutral maps to itself).
    """

    def __init__(
        self,
        labels: Sequence[str],
        thresholds: Sequence[float],
        ekman_mapping: dict[str, list[str]],
    ) -> None:
        self.labels = list(labels)
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        if len(self.thresholds) != len(self.labels):
            raise ModelError(
                f"{len(self.thresholds)} thresholds for {len(self.labels)} labels",
                fix="re-run models/train_emotions.py",
            )
        index = {lab: i for i, lab in enumerate(self.labels)}
        self.ekman_groups = list(EKMAN_GROUPS)
        # label_group[j] = index of the Ekman group of label j
        self.label_group = np.full(len(self.labels), -1, dtype=np.int64)
        for g, group in enumerate(self.ekman_groups):
            members = [NEUTRAL] if group == NEUTRAL else ekman_mapping.get(group, [])
            for lab in members:
                if lab not in index:
                    raise ModelError(
                        f'Ekman mapping names unknown label "{lab}"',
                        fix="check ekman_mapping.json against labels.txt",
                    )
                self.label_group[index[lab]] = g
        if (self.label_group < 0).any():
            missing = [lab for lab, g in zip(self.labels, self.label_group, strict=True) if g < 0]
            raise ModelError(
                f"labels without an Ekman group: {', '.join(missing)}",
                fix="check ekman_mapping.json against labels.txt",
            )
        self._neutral = index.get(NEUTRAL)

    # --- label sets ---------------------------------------------------------
    def _ratio(self, probas: np.ndarray) -> np.ndarray:
        return np.asarray(probas, dtype=np.float64) / np.maximum(self.thresholds, 1e-6)

    def predict_multi_hot(self, probas: np.ndarray) -> np.ndarray:
        """Boolean (n, labels): probability >= the label's threshold, else the best-ratio label."""
        probas = np.atleast_2d(np.asarray(probas, dtype=np.float64))
        hot = probas >= self.thresholds
        none = ~hot.any(axis=1)
        if none.any():
            best = self._ratio(probas[none]).argmax(axis=1)
            hot[np.flatnonzero(none), best] = True
        return hot

    def predict_proba(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Probability of each of the labels per text, shape (n, len(labels)), float32."""
        raise NotImplementedError

    def predict(self, texts: Sequence[str], batch_size: int = 64) -> list[list[str]]:
        """The predicted label set per text (see the module docstring for the rule)."""
        hot = self.predict_multi_hot(self.predict_proba(texts, batch_size=batch_size))
        return [[lab for lab, on in zip(self.labels, row, strict=True) if on] for row in hot]

    # --- Ekman groups and intensity -----------------------------------------
    def ekman_proba(self, probas: np.ndarray) -> np.ndarray:
        """(n, 7) in `EKMAN_GROUPS` order: the highest member-label probability per group."""
        probas = np.atleast_2d(np.asarray(probas, dtype=np.float64))
        out = np.zeros((len(probas), len(self.ekman_groups)), dtype=np.float64)
        for g in range(len(self.ekman_groups)):
            cols = self.label_group == g
            out[:, g] = probas[:, cols].max(axis=1)
        return out

    def ekman(self, probas: np.ndarray) -> list[str]:
        """Dominant Ekman group per row: the argmax of `ekman_proba`."""
        best = self.ekman_proba(probas).argmax(axis=1)
        return [self.ekman_groups[g] for g in best]

    def intensity(self, probas: np.ndarray) -> np.ndarray:
        """Highest non-neutral label probability per row, in [0, 1]."""
        probas = np.atleast_2d(np.asarray(probas, dtype=np.float64))
        cols = np.ones(len(self.labels), dtype=bool)
        if self._neutral is not None:
            cols[self._neutral] = False
        return np.clip(probas[:, cols].max(axis=1), 0.0, 1.0)


class EmotionModel(EmotionLabels):
    """A GoEmotions multi-label classifier (int8 ONNX) with per-label thresholds.

    Build it with `EmotionModel.load`; the constructor takes already-loaded parts
    so tests and other models can be injected.

    Args:
        session: an ``onnxruntime.InferenceSession`` with inputs ``input_ids`` and
            ``attention_mask`` (int64), an output ``probs`` (n, 28) and optionally
            ``embedding`` (n, dim), the normalised sentence vector (see
            `predict_with_embeddings`).
        tokenizer: a ``tokenizers.Tokenizer`` (WordPiece, as the encoder was trained).
        labels: the label names in the model's output order.
        thresholds: one decision threshold per label.
        ekman_mapping: Ekman group -> member labels (neutral maps to itself).
        max_length: tokens per text at inference; longer texts are truncated.
    """

    def __init__(
        self,
        session: Any,
        tokenizer: Any,
        labels: Sequence[str],
        thresholds: Sequence[float],
        ekman_mapping: dict[str, list[str]],
        max_length: int = 128,
    ) -> None:
        super().__init__(labels, thresholds, ekman_mapping)
        self.session = session
        self.tokenizer = tokenizer
        self.max_length = max_length
        self._input_names = {i.name for i in session.get_inputs()}
        outputs = session.get_outputs() if hasattr(session, "get_outputs") else []
        self._output_names = [o.name for o in outputs]
        self._embedding_dim: int | None = None
        for o in outputs:
            if o.name == EMBEDDING_OUTPUT and isinstance(o.shape[-1], int):
                self._embedding_dim = int(o.shape[-1])
        self._pad_id = tokenizer.token_to_id("[PAD]") or 0
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_length)

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        *,
        onnx_file: str | Path | None = None,
        threads: int | None = None,
        max_length: int = 128,
        joint: bool = False,
    ) -> EmotionModel:
        """Load a model folder (default: the shipped ``models/emotions``).

        Args:
            path: folder with model.onnx, tokenizer.json, labels.txt,
                thresholds.json and ekman_mapping.json.
            onnx_file: use this ONNX file instead of ``path/model.onnx``.
            joint: use ``path/joint.onnx`` (``models/build_joint_onnx.py``): the same
                model plus stock MiniLM's layers 2-5 on its layer-1 output, so one
                pass also gives the embedder's vectors (`predict_with_sentence_vectors`).
            threads: onnxruntime intra-op threads (default: onnxruntime's choice).
            max_length: tokens per text; longer texts are truncated.
        """
        folder = Path(path) if path is not None else default_model_dir()
        if joint and onnx_file is None:
            onnx_file = folder / JOINT_FILE
            if not onnx_file.is_file():
                raise ModelError(
                    "the joint emotion + MiniLM model is missing",
                    file=str(onnx_file),
                    fix="rebuild it with `python models/build_joint_onnx.py`",
                )
        needed = ["tokenizer.json", "labels.txt", "thresholds.json", "ekman_mapping.json"]
        if onnx_file is None:
            needed.insert(0, "model.onnx")
        missing = [name for name in needed if not (folder / name).is_file()]
        if missing:
            raise ModelError(
                f"emotion model folder {folder} lacks {', '.join(missing)}",
                fix=f"set {MODELS_ENV} to the folder holding emotions/, "
                "or rebuild it with models/train_emotions.py",
            )
        try:
            from tokenizers import Tokenizer

            from insight.offline import onnxruntime

            ort = onnxruntime()  # telemetry off before the session exists
        except ImportError as exc:  # pragma: no cover - both are dependencies
            raise ModelError(
                f"cannot import {exc.name}", fix="pip install onnxruntime tokenizers"
            ) from exc

        labels = (folder / "labels.txt").read_text(encoding="utf-8").split()
        thr = json.loads((folder / "thresholds.json").read_text(encoding="utf-8"))
        mapping = json.loads((folder / "ekman_mapping.json").read_text(encoding="utf-8"))
        try:
            thresholds = [float(thr[lab]) for lab in labels]
        except KeyError as exc:
            raise ModelError(
                f"thresholds.json has no threshold for {exc.args[0]}",
                file=str(folder / "thresholds.json"),
                fix="re-run models/train_emotions.py",
            ) from exc
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
        model_file = Path(onnx_file) if onnx_file is not None else folder / "model.onnx"
        session = ort.InferenceSession(
            str(model_file), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        return cls(session, tokenizer, labels, thresholds, mapping, max_length=max_length)

    # --- probabilities ------------------------------------------------------
    @property
    def embedding_dim(self) -> int | None:
        """Width of the model's sentence-vector output, None when it has none."""
        return self._embedding_dim

    @property
    def has_sentence_vectors(self) -> bool:
        """Whether the graph also gives stock MiniLM's hidden state (``joint.onnx``)."""
        return HIDDEN_OUTPUT in self._output_names

    def _run(
        self,
        texts: Sequence[str],
        batch_size: int,
        with_embeddings: bool,
        with_sentence_vectors: bool = False,
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        texts = [t if isinstance(t, str) else "" for t in texts]
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        emb = sent = None
        names: list[str] | None = [PROBS_OUTPUT]
        if with_embeddings:
            dim = self.embedding_dim
            if dim is None:
                raise ModelError(
                    f'this emotion model has no "{EMBEDDING_OUTPUT}" output',
                    fix="re-export it with models/train_emotions.py --export-from CHECKPOINT",
                )
            emb = np.zeros((len(texts), dim), dtype=np.float32)
            names = [PROBS_OUTPUT, EMBEDDING_OUTPUT]
        if with_sentence_vectors:
            if not self.has_sentence_vectors:
                raise ModelError(
                    f'this emotion model has no "{HIDDEN_OUTPUT}" output',
                    fix="load models/emotions/joint.onnx (EmotionModel.load(joint=True))",
                )
            # NaN = not computed (empty text, or one this pass truncated)
            sent = np.full((len(texts), self.embedding_dim or 384), np.nan, dtype=np.float32)
            names = [PROBS_OUTPUT, EMBEDDING_OUTPUT, HIDDEN_OUTPUT]
        live = [i for i, t in enumerate(texts) if t.strip()]
        empty = [i for i, t in enumerate(texts) if not t.strip()]
        if empty and self._neutral is not None:
            out[empty, self._neutral] = 1.0
        if not live:
            return out, emb, sent
        encs = self.tokenizer.encode_batch([texts[i] for i in live])
        ids = [e.ids for e in encs]
        if PROBS_OUTPUT not in self._output_names:
            names = None  # an injected single-output model: its first output is the probabilities
        # Length-sorted batches keep padding (and so wasted work) small.
        order = np.argsort([len(x) for x in ids], kind="stable")
        for s in range(0, len(order), max(1, batch_size)):
            chunk = order[s : s + batch_size]
            width = max(len(ids[k]) for k in chunk)
            x = np.full((len(chunk), width), self._pad_id, dtype=np.int64)
            m = np.zeros((len(chunk), width), dtype=np.int64)
            for r, k in enumerate(chunk):
                x[r, : len(ids[k])] = ids[k]
                m[r, : len(ids[k])] = 1
            feeds = {"input_ids": x, "attention_mask": m}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(x)
            res = self.session.run(names, feeds)
            rows = [live[k] for k in chunk]
            out[rows] = res[0]
            if emb is not None:
                emb[rows] = res[1]
            if sent is not None:
                from insight.embed import mean_pool

                pooled = mean_pool(res[2], m)
                pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
                # a text cut at max_length here would differ from the embedder's own vector
                whole = [r for r, k in enumerate(chunk) if len(ids[k]) < self.max_length]
                sent[[rows[r] for r in whole]] = pooled[whole]
        return out, emb, sent

    def predict_proba(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Probability of each of the labels per text, shape (n, len(labels)), float32."""
        return self._run(texts, batch_size, with_embeddings=False)[0]

    def predict_with_embeddings(
        self, texts: Sequence[str], batch_size: int = 64
    ) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities (n, labels), unit-length sentence vectors (n, dim)) in one pass.

        The vector is the encoder's mean-pooled output that the label head reads,
        L2-normalised; empty text gets the zero vector.
        """
        probas, emb, _ = self._run(texts, batch_size, with_embeddings=True)
        assert emb is not None
        return probas, emb

    def predict_with_sentence_vectors(
        self, texts: Sequence[str], batch_size: int = 64
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(probabilities, the head's sentence vectors, stock MiniLM vectors) in one pass.

        Needs the joint graph (``has_sentence_vectors``): the third array holds the
        unit-length all-MiniLM-L6-v2 int8 vectors that `insight.embed.OnnxEmbedder`
        computes, with NaN rows for empty texts and texts of ``max_length`` tokens or
        more (truncated here, so their vectors are left to the embedder).
        """
        probas, emb, sent = self._run(
            texts, batch_size, with_embeddings=True, with_sentence_vectors=True
        )
        assert emb is not None and sent is not None
        return probas, emb, sent
