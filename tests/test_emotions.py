"""EmotionModel: grouping rules on hand-built probabilities, and the shipped model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from insight.errors import ModelError
from insight.extract.emotions import EKMAN_GROUPS, EmotionModel, default_model_dir

REPO = Path(__file__).resolve().parent.parent
EMOTIONS_TXT = REPO.parent / "shared" / "datasets" / "goemotions" / "emotions.txt"

LABELS = ["anger", "annoyance", "joy", "fear", "sadness", "surprise", "disgust", "neutral"]
MAPPING = {
    "anger": ["anger", "annoyance"],
    "disgust": ["disgust"],
    "fear": ["fear"],
    "joy": ["joy"],
    "sadness": ["sadness"],
    "surprise": ["surprise"],
}


class _Input:
    def __init__(self, name: str) -> None:
        self.name = name


class _Session:
    """Stands in for onnxruntime: no inference is run by the rule tests."""

    def get_inputs(self) -> list[_Input]:
        return [_Input("input_ids"), _Input("attention_mask")]


class _Tokenizer:
    def token_to_id(self, token: str) -> int:
        return 0

    def no_padding(self) -> None:
        pass

    def enable_truncation(self, max_length: int) -> None:
        pass


class _Output:
    def __init__(self, name: str, shape: list) -> None:
        self.name = name
        self.shape = shape


class _TwoOutputSession(_Session):
    """Fake onnxruntime session: probs = first token id / 10 in every column, vector = [id, 1]."""

    def __init__(self) -> None:
        self.requested: list = []

    def get_outputs(self) -> list[_Output]:
        return [_Output("probs", ["batch", len(LABELS)]), _Output("embedding", ["batch", 2])]

    def run(self, names, feeds):
        self.requested.append(names)
        first = feeds["input_ids"][:, :1].astype(np.float32)
        probs = np.repeat(first / 10, len(LABELS), axis=1)
        return [probs, np.hstack([first, np.ones_like(first)])][: len(names)]


class _Encoding:
    def __init__(self, ids: list[int]) -> None:
        self.ids = ids


class _CountTokenizer(_Tokenizer):
    """Token ids: [number of words] + [1] * words."""

    def encode_batch(self, texts: list[str]) -> list[_Encoding]:
        return [_Encoding([len(t.split())] + [1] * len(t.split())) for t in texts]


def test_predict_with_embeddings_one_pass_aligned_rows() -> None:
    sess = _TwoOutputSession()
    m = EmotionModel(sess, _CountTokenizer(), LABELS, [0.5] * len(LABELS), MAPPING)
    assert m.embedding_dim == 2
    texts = ["a b c", "", "a", "a b"]
    p, e = m.predict_with_embeddings(texts, batch_size=2)
    assert sess.requested == [["probs", "embedding"], ["probs", "embedding"]]
    np.testing.assert_allclose(p[:, 0], [0.3, 0.0, 0.1, 0.2], rtol=1e-6)
    assert p[1, LABELS.index("neutral")] == 1.0  # empty text: neutral, zero vector
    np.testing.assert_array_equal(e, [[3, 1], [0, 0], [1, 1], [2, 1]])
    np.testing.assert_array_equal(m.predict_proba(texts, batch_size=3), p)
    assert sess.requested[-1] == ["probs"]


def test_predict_with_embeddings_needs_the_output() -> None:
    with pytest.raises(ModelError, match='no "embedding" output'):
        _toy().predict_with_embeddings(["text"])


def _toy(thresholds: list[float] | None = None) -> EmotionModel:
    thr = thresholds or [0.5, 0.2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    return EmotionModel(_Session(), _Tokenizer(), LABELS, thr, MAPPING)


def test_ekman_proba_takes_the_best_member_label() -> None:
    m = _toy()
    p = np.array([[0.1, 0.6, 0.3, 0.0, 0.0, 0.0, 0.0, 0.2]])
    got = m.ekman_proba(p)
    assert got.shape == (1, 7)
    # anger group = max(anger 0.1, annoyance 0.6); joy 0.3; neutral 0.2
    np.testing.assert_allclose(got[0], [0.6, 0.0, 0.0, 0.3, 0.0, 0.0, 0.2])


def test_dominant_group_is_the_most_probable_label_group() -> None:
    m = _toy()
    # anger members sum to 0.7 but joy holds the single most probable label
    p = np.array([[0.35, 0.35, 0.6, 0.0, 0.0, 0.0, 0.0, 0.1], [0.0, 0.3, 0.2, 0, 0, 0, 0.25, 0.1]])
    assert m.ekman(p) == ["joy", "anger"]
    # both annoyance (0.35 >= 0.2) and joy pass their own thresholds
    assert m.predict_multi_hot(p)[0].tolist() == [False, True, True] + [False] * 5


def test_label_set_falls_back_to_best_ratio_label() -> None:
    m = _toy()
    # nothing reaches its bar; sadness has the highest probability (0.45 / 0.5 = 0.9)
    # but annoyance is closest to its own bar (0.19 / 0.2 = 0.95)
    p = np.array([[0.05, 0.19, 0.2, 0.3, 0.45, 0.0, 0.0, 0.4]])
    hot = m.predict_multi_hot(p)
    assert hot.sum() == 1 and LABELS[int(hot[0].argmax())] == "annoyance"
    assert m.ekman(p) == ["sadness"]  # the dominant group follows the raw probability


def test_intensity_ignores_neutral() -> None:
    m = _toy()
    p = np.array([[0.1, 0.2, 0.3, 0.0, 0.0, 0.0, 0.0, 0.9], [0.0] * 8])
    np.testing.assert_allclose(m.intensity(p), [0.3, 0.0])


def test_unknown_label_in_mapping_is_an_error() -> None:
    with pytest.raises(ModelError, match="unknown label"):
        EmotionModel(_Session(), _Tokenizer(), LABELS, [0.5] * 8, {**MAPPING, "joy": ["glee"]})


def test_missing_folder_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="INSIGHT_MODELS_DIR"):
        EmotionModel.load(tmp_path)


def test_env_var_moves_the_default_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INSIGHT_MODELS_DIR", str(tmp_path))
    assert default_model_dir() == tmp_path / "emotions"


@pytest.mark.slow
@pytest.mark.models
def test_shipped_model() -> None:
    m = EmotionModel.load(threads=2)
    assert len(m.labels) == 28 and m.ekman_groups == list(EKMAN_GROUPS)
    if EMOTIONS_TXT.is_file():
        assert m.labels == EMOTIONS_TXT.read_text().split()
    texts = [
        "I am so angry about this, it's outrageous",
        "Thanks so much, this is great",
        "",
        "I'm scared it will crash again before the deadline.",
    ]
    p = m.predict_proba(texts, batch_size=2)
    assert p.shape == (4, 28) and p.dtype == np.float32
    assert ((p >= 0) & (p <= 1)).all()
    col = {lab: i for i, lab in enumerate(m.labels)}
    angry = p[0, col["anger"]] + p[0, col["annoyance"]]
    assert angry > p[1, col["anger"]] + p[1, col["annoyance"]]
    assert p[1, col["gratitude"]] > p[0, col["gratitude"]]
    assert p[2, col["neutral"]] == 1.0 and p[2].sum() == 1.0  # empty text: defined as neutral
    sets = m.predict(texts)
    assert "gratitude" in sets[1] and sets[2] == ["neutral"]
    ekman = m.ekman(p)
    assert ekman[0] == "anger" and ekman[1] == "joy" and ekman[2] == "neutral"
    assert ekman[3] == "fear"
    inten = m.intensity(p)
    assert inten[2] == 0.0 and inten[0] > 0.5
    # batching and order do not change results
    np.testing.assert_allclose(m.predict_proba(texts[::-1], batch_size=64)[::-1], p, atol=1e-5)
    # the sentence vectors come from the same pass and leave the probabilities unchanged
    p2, e = m.predict_with_embeddings(texts, batch_size=2)
    np.testing.assert_array_equal(p2, p)
    assert e.shape == (4, m.embedding_dim) and m.embedding_dim == 384
    np.testing.assert_allclose(np.linalg.norm(e[[0, 1, 3]], axis=1), 1.0, atol=1e-4)
    assert not e[2].any()  # empty text: zero vector
    assert (
        e[0] @ e[3] < e[0] @ m.predict_with_embeddings(["I am furious, this is outrageous"])[1][0]
    )
