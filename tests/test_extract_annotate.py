"""annotate_texts / annotate_units / respondent_emotions / `insight annotate` with small models."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from insight import schema
from insight.cli import main
from insight.extract import Annotator, annotate_texts, annotate_units, respondent_emotions
from insight.extract.pain_points import PainPointModel, dense_features
from insight.extract.sentiment import N_HASH_FEATURES, RULE_FEATURES, SentimentModel

LABELS = [
    "admiration",
    "amusement",
    "anger",
    "annoyance",
    "approval",
    "caring",
    "confusion",
    "curiosity",
    "desire",
    "disappointment",
    "disapproval",
    "disgust",
    "embarrassment",
    "excitement",
    "fear",
    "gratitude",
    "grief",
    "joy",
    "love",
    "nervousness",
    "optimism",
    "pride",
    "realization",
    "relief",
    "remorse",
    "sadness",
    "surprise",
    "neutral",
]
GROUP = {"anger": "anger", "annoyance": "anger", "joy": "joy", "gratitude": "joy"}


class KeywordEmotions:
    """A tiny emotion model with the EmotionModel interface: keyword -> label."""

    labels = LABELS
    keywords: ClassVar[dict[str, str]] = {
        "angry": "anger",
        "annoying": "annoyance",
        "thanks": "gratitude",
        "happy": "joy",
    }

    def predict_proba(self, texts, batch_size=64):
        p = np.full((len(texts), len(LABELS)), 0.01)
        for i, t in enumerate(texts):
            hit = [lab for k, lab in self.keywords.items() if k in t.lower()]
            for lab in hit or ["neutral"]:
                p[i, LABELS.index(lab)] = 0.9
        return p

    def predict_multi_hot(self, probas):
        return probas >= 0.5

    def ekman(self, probas):
        return [GROUP.get(LABELS[k], "neutral") for k in probas.argmax(axis=1)]

    def intensity(self, probas):
        return probas.max(axis=1)


def cue_pain_model() -> PainPointModel:
    """A pain head that fires on the hedge / excess / unmet cue features only."""
    n_dense = dense_features(["x"]).shape[1]
    coef = np.zeros(N_HASH_FEATURES + n_dense, dtype=np.float32)
    for name in ("hedge_neg", "excess", "unmet"):
        coef[N_HASH_FEATURES + RULE_FEATURES.index(name)] = 4.0
    return PainPointModel(
        coef=coef,
        intercept=-2.0,
        idf=np.ones(N_HASH_FEATURES, dtype=np.float32),
        scale=np.ones(n_dense, dtype=np.float32),
        threshold=0.5,
    )


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return Annotator(
        emotion_model=KeywordEmotions(),
        sentiment_model=SentimentModel(),
        pain_model=cue_pain_model(),
    )


TEXTS = [
    "The app keeps crashing and I'm so angry.",
    "",
    "Thanks, the staff were lovely!",
    "I wish it had an export button.",
    None,
]


def test_annotate_texts_columns_and_values(annotator: Annotator) -> None:
    df = annotate_texts(TEXTS, batch_size=2, progress=False, annotator=annotator)
    expected = [
        "sentiment",
        "sentiment_label",
        *[f"emotion_{lab}" for lab in LABELS],
        "emotions",
        "ekman",
        "intensity",
        "pain_point",
        "pain_point_score",
        "pain_point_type",
        "goal",
    ]
    assert list(df.columns) == expected
    assert len(df) == 5
    assert df["pain_point"].tolist()[0] == 1 and df["pain_point_type"][0] == "reliability/quality"
    assert df["emotions"][0] == "anger" and df["ekman"][0] == "anger"
    assert df["sentiment_label"][2] == "positive" and df["pain_point"][2] == 0
    assert df["emotions"][2] == "gratitude" and df["ekman"][2] == "joy"
    assert df["goal"].tolist()[3] == 1 and df["goal"].tolist()[0] == 0
    # empty / missing text: empty annotations, no error
    for i in (1, 4):
        assert np.isnan(df["sentiment"][i]) and df["sentiment_label"][i] == ""
        assert np.isnan(df["emotion_anger"][i]) and df["emotions"][i] == ""
        assert pd.isna(df["pain_point"][i]) and pd.isna(df["goal"][i])


def test_annotate_texts_empty_input(annotator: Annotator) -> None:
    df = annotate_texts([], progress=False, annotator=annotator)
    assert len(df) == 0 and "pain_point" in df.columns


def units_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.UNIT_ID: ["u1", "u2", "u3", "u4", "u5"],
            schema.RESPONDENT_ID: ["r1", "r1", "r2", "r2", "r2"],
            schema.SPEAKER_ROLE: ["customer", "customer", "interviewer", "customer", "customer"],
            schema.TEXT: [
                "Nobody called me back, I'm angry.",
                "Thanks, happy with it.",
                "How was the delivery?",
                "The wait was too long.",
                "",
            ],
        }
    )


def test_annotate_units_only_customers(annotator: Annotator) -> None:
    ann = annotate_units(units_frame(), progress=False, annotator=annotator)
    assert ann[schema.UNIT_ID].tolist() == ["u1", "u2", "u4", "u5"]
    assert ann["pain_point"].tolist()[:3] == [1, 0, 1]


def test_units_in_another_language_get_no_english_scores(annotator: Annotator) -> None:
    # issue 11.4: English-only models never score a unit ingest marked as another language
    units = units_frame().assign(lang=["en", "de", None, None, None])
    ann = annotate_units(units, progress=False, annotator=annotator).set_index(schema.UNIT_ID)
    assert ann.loc["u1", "pain_point"] == 1
    assert pd.isna(ann.loc["u2", "sentiment"])
    assert pd.isna(ann.loc["u2", "pain_point_score"])
    assert ann.loc["u4", "pain_point"] == 1  # no language judged (short): English models


def test_respondent_emotions_hand_worked(annotator: Annotator) -> None:
    units = units_frame()
    ann = annotate_units(units, progress=False, annotator=annotator)
    rep = respondent_emotions(units, ann).set_index(schema.RESPONDENT_ID)
    # r1: u1 (anger, pain), u2 (joy, no pain); r2: u4 (neutral, pain), u5 empty -> not counted
    assert rep.loc["r1", "n_units"] == 2 and rep.loc["r2", "n_units"] == 1
    assert rep.loc["r1", "ekman_anger"] == 0.5 and rep.loc["r1", "ekman_joy"] == 0.5
    assert rep.loc["r2", "ekman_neutral"] == 1.0
    assert rep.loc["r1", "pain_point_rate"] == 0.5 and rep.loc["r2", "pain_point_rate"] == 1.0
    assert rep.loc["r1", "mean_intensity"] == pytest.approx(0.9)
    v1, v2 = ann["sentiment"].iloc[0], ann["sentiment"].iloc[1]
    assert rep.loc["r1", "mean_valence"] == pytest.approx((v1 + v2) / 2)


def test_cli_annotate_keeps_columns_and_order(tmp_path, monkeypatch, annotator) -> None:
    import insight.extract.annotate as mod

    monkeypatch.setattr(mod, "default_annotator", lambda: annotator)
    src = tmp_path / "in.tsv"
    pd.DataFrame(
        {"id": ["b", "a", "c"], "comment": ["too slow", "", "Thanks!"], "x": ["1", "", "3"]}
    ).to_csv(src, sep="\t", index=False)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(
        main, ["annotate", str(src), "--text-column", "comment", "--out", str(out), "--no-progress"]
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, keep_default_na=False)
    assert df["id"].tolist() == ["b", "a", "c"]
    assert list(df.columns[:3]) == ["id", "comment", "x"]
    assert df["pain_point"].astype(str).tolist() == ["1", "", "0"]


def test_cli_annotate_missing_column_is_one_clear_line(tmp_path) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [1], "review": ["ok"]}).to_csv(src, index=False)
    res = CliRunner().invoke(
        main, ["annotate", str(src), "-c", "text", "-o", str(tmp_path / "o.csv")]
    )
    assert res.exit_code != 0
    line = res.output.strip()
    assert "\n" not in line
    assert "in.csv" in line and '"text"' in line and '"review"' in line and "--text-column" in line


def test_cli_annotate_help_has_example() -> None:
    res = CliRunner().invoke(main, ["annotate", "--help"])
    assert res.exit_code == 0 and "Example" in res.output


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet", ".csv"])
def test_annotate_file_formats_keep_rows(tmp_path, annotator, suffix) -> None:
    from insight.extract.annotate import annotate_file

    src = tmp_path / f"in{suffix}"
    df = pd.DataFrame({"id": ["3", "1", "2"], "text": ["Nobody called back.", "Great!", ""]})
    if suffix == ".xlsx":
        df.to_excel(src, index=False)
    elif suffix == ".parquet":
        df.to_parquet(src, index=False)
    else:
        df.to_csv(src, index=False)
    out = annotate_file(src, "text", out=tmp_path / "o.csv", progress=False, annotator=annotator)
    assert out["id"].tolist() == ["3", "1", "2"]
    assert out["pain_point"].tolist()[:2] == [1, 0] and pd.isna(out["pain_point"][2])
    assert (tmp_path / "o.csv").exists()


def test_annotate_file_unsupported_type(tmp_path) -> None:
    from insight.errors import InputError
    from insight.extract.annotate import annotate_file

    src = tmp_path / "notes.docx"
    src.write_text("x")
    with pytest.raises(InputError, match="unsupported file type"):
        annotate_file(src, "text")


def test_annotate_texts_same_result_across_chunkings(annotator, monkeypatch) -> None:
    import insight.extract.annotate as mod

    whole = annotate_texts(TEXTS, batch_size=64, progress=False, annotator=annotator)
    monkeypatch.setattr(mod, "CHUNK_BATCHES", 1)
    pieces = annotate_texts(TEXTS, batch_size=2, progress=False, annotator=annotator)
    pd.testing.assert_frame_equal(whole, pieces)


class VectorEmotions(KeywordEmotions):
    """KeywordEmotions plus 2-d sentence vectors: [1, 0] when the text mentions a refund."""

    calls: ClassVar[list[str]] = []

    def predict_with_embeddings(self, texts, batch_size=64):
        self.calls.append("with_embeddings")
        emb = np.array([[1.0, 0.0] if "refund" in t.lower() else [0.0, 1.0] for t in texts])
        return self.predict_proba(texts, batch_size), emb


def test_pain_head_on_sentence_vectors_gets_them_from_the_emotion_pass() -> None:
    n_dense = dense_features(["x"]).shape[1]
    coef = np.zeros(N_HASH_FEATURES + n_dense + 2, dtype=np.float32)
    coef[-2] = 6.0  # only the first vector dimension matters: refund texts score sigmoid(3)
    pain = PainPointModel(
        coef=coef,
        intercept=-3.0,
        idf=np.ones(N_HASH_FEATURES, dtype=np.float32),
        scale=np.ones(n_dense, dtype=np.float32),
        threshold=0.5,
        embedding_dim=2,
        embedding_weight=1.0,
    )
    assert pain.uses_embeddings
    emotions = VectorEmotions()
    ann = Annotator(emotion_model=emotions, sentiment_model=SentimentModel(), pain_model=pain)
    df = annotate_texts(
        ["Still no refund after a month.", "", "Lovely staff."], progress=False, annotator=ann
    )
    assert emotions.calls == ["with_embeddings"]
    assert df["pain_point"].tolist()[0] == 1 and df["pain_point"].tolist()[2] == 0
    assert pd.isna(df["pain_point"][1])
    np.testing.assert_allclose(
        df["pain_point_score"][[0, 2]], [1 / (1 + np.exp(-3)), 1 / (1 + np.exp(3))], rtol=1e-5
    )
    # a head with sentence-vector weights refuses to score without the vectors
    from insight.errors import ModelError

    with pytest.raises(ModelError, match="sentence vectors"):
        pain.score(["Still no refund."])
    with pytest.raises(ModelError, match="weights, expected"):
        PainPointModel(coef[:-1], 0.0, pain.idf, pain.scale, embedding_dim=2)


class CountingEmotions(KeywordEmotions):
    """KeywordEmotions that records every text it is asked to score."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def predict_proba(self, texts, batch_size=64):
        self.seen.extend(texts)
        return super().predict_proba(texts, batch_size)


def test_duplicate_texts_go_through_the_models_once(annotator: Annotator) -> None:
    counting = CountingEmotions()
    ann = Annotator(
        emotion_model=counting, sentiment_model=SentimentModel(), pain_model=cue_pain_model()
    )
    texts = ["Very good", "The app keeps crashing.", "Very good", "", None, "Very good"]
    df = ann.annotate(texts, batch_size=2, progress=False)
    assert sorted(counting.seen) == ["The app keeps crashing.", "Very good"]
    assert len(df) == len(texts)
    # each row equals the annotation of its text alone
    for i, t in enumerate(texts):
        alone = annotator.annotate([t], progress=False)
        pd.testing.assert_frame_equal(df.iloc[[i]].reset_index(drop=True), alone)


def test_text_cache_serves_a_rerun_and_is_keyed_by_the_models(tmp_path) -> None:
    from insight.engine.cache import TextCache

    cache = TextCache.for_study(tmp_path)
    texts = ["The app keeps crashing.", "Thanks, lovely staff!", "", "Very good", "Very good"]

    def make(key: str) -> tuple[Annotator, CountingEmotions]:
        em = CountingEmotions()
        return Annotator(
            emotion_model=em,
            sentiment_model=SentimentModel(),
            pain_model=cue_pain_model(),
            cache_key=key,
        ), em

    ann, em = make("models-a")
    first = ann.annotate(texts, progress=False, cache=cache)
    assert len(em.seen) == 3
    ann, em = make("models-a")
    again = ann.annotate([*texts, "I wish it had export."], progress=False, cache=cache)
    assert em.seen == ["I wish it had export."]  # only the new text ran
    pd.testing.assert_frame_equal(again.iloc[: len(texts)], first)
    ann, em = make("models-b")  # other models: nothing reused
    ann.annotate(texts, progress=False, cache=cache)
    assert len(em.seen) == 3
