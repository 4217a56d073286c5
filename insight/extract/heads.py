"""What the trained sentiment and pain-point heads share: their inputs and their scoring.

Both heads are logistic regressions over hashed word n-grams, rule features and,
when trained with them, per-text encoder outputs (the 28 GoEmotions
probabilities and a sentence vector). `HeadInputs` carries those per-text extras
for a batch of texts, and `LinearHead` the part of scoring both heads do alike:
which rows hold text, whether every input the head was trained with is there and
has the right width, and the logits of the stacked design matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from insight.errors import ModelError

#: what to run when a head needs encoder outputs it was not given
ENCODER_FIX = "pass HeadInputs(emotion_probas=..., embeddings=...) from " + (
    "EmotionModel.load().predict_with_embeddings(texts)"
)


@dataclass(frozen=True)
class HeadInputs:
    """Per-text inputs of a head besides the text itself, one row per text; all optional.

    Attributes:
        rules: `insight.extract.sentiment.rule_feature_matrix(texts)`, when the caller
            already has it (both heads read it; computed from the texts otherwise).
        emotion_probas: (n, 28) GoEmotions probabilities.
        embeddings: (n, dim) unit-length sentence vectors.
    """

    rules: np.ndarray | None = None
    emotion_probas: np.ndarray | None = None
    embeddings: np.ndarray | None = None

    def rows(self, idx: Sequence[int]) -> HeadInputs:
        """The same inputs for the rows ``idx`` only."""

        def take(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else np.asarray(a)[list(idx)]

        return HeadInputs(take(self.rules), take(self.emotion_probas), take(self.embeddings))


def text_rows(texts: Sequence[Any]) -> list[int]:
    """Positions of the texts that hold something besides whitespace."""
    return [i for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]


class LinearHead:
    """Shared scoring of the logistic-regression heads (`PainPointModel`, `SentimentModel`).

    Subclasses set ``kind`` (the name in error messages) and the widths of the
    encoder outputs they were trained with (``emotion_dim``, ``embedding_dim``; 0 =
    not used), and hold ``coef`` ((k, n_features) or (n_features,)) and ``intercept``.
    """

    kind = "trained"
    coef: Any = None
    intercept: Any = None
    emotion_dim = 0
    embedding_dim = 0

    @property
    def uses_embeddings(self) -> bool:
        """Whether the head reads sentence vectors."""
        return self.embedding_dim > 0

    def encoder_features(self, inputs: HeadInputs) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(emotion probabilities, sentence vectors) as float32 arrays, each None when the
        head was not trained with it; a missing or mis-sized one raises `ModelError`."""
        out: list[np.ndarray | None] = []
        for dim, values, what in (
            (self.emotion_dim, inputs.emotion_probas, "emotion probabilities"),
            (self.embedding_dim, inputs.embeddings, "sentence vectors"),
        ):
            if dim <= 0:
                out.append(None)
                continue
            if values is None:
                raise ModelError(f"this {self.kind} head needs {what}", fix=ENCODER_FIX)
            arr = np.asarray(values, dtype=np.float32)
            if arr.ndim != 2 or arr.shape[1] != dim:
                got = arr.shape[1] if arr.ndim == 2 else arr.ndim
                raise ModelError(
                    f"this {self.kind} head expects {dim}-d {what}, got {got}-d",
                    fix="use the encoder the head was trained with",
                )
            out.append(arr)
        return out[0], out[1]

    def logits(self, x: Any) -> np.ndarray:
        """``x @ coef.T + intercept`` for a design matrix ``x`` (rows = texts)."""
        coef = np.asarray(self.coef)
        return np.asarray(x @ coef.T) + self.intercept
