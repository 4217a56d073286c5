"""The shipped extract models (marked `models`: they load files from models/)."""

from __future__ import annotations

import pytest

from insight.errors import ModelError

pytestmark = pytest.mark.models


def test_shipped_sentiment_head_negation_and_hedges() -> None:
    from insight.extract.sentiment import SentimentModel

    model = SentimentModel.load(required=True)
    texts = [
        "The staff were lovely and explained everything.",
        "Rude receptionist and a two hour wait.",
        "Could have been better.",
        "Not bad at all.",
        "",
    ]
    assert model.uses_emotion_outputs
    with pytest.raises(ModelError, match="sentiment head needs emotion probabilities"):
        model.predict(texts)
    from insight.extract.emotions import EmotionModel
    from insight.extract.heads import HeadInputs

    probs, vecs = EmotionModel.load().predict_with_embeddings(texts)
    with pytest.raises(ModelError, match="sentiment head needs sentence vectors"):
        model.predict(texts, HeadInputs(emotion_probas=probs))
    valence, labels = model.predict(texts, HeadInputs(emotion_probas=probs, embeddings=vecs))
    assert labels[:4] == ["positive", "negative", "negative", "positive"]
    assert labels[4] is None
    assert valence[0] > 0.3 and valence[1] < -0.3


def test_shipped_pain_point_head() -> None:
    from insight.extract.pain_points import PainPointModel

    model = PainPointModel.load()
    texts = [
        "My parcel never arrived and nobody answers the phone.",
        "The app crashes every time I open it.",
        "Thank you, the nurse was wonderful.",
        "We had a lovely time at the beach.",
    ]
    emo = emb = None
    if model.uses_emotions or model.uses_embeddings:
        from insight.extract.emotions import EmotionModel

        emo, emb = EmotionModel.load().predict_with_embeddings(texts)
    from insight.extract.heads import HeadInputs

    flags, scores, types = model.predict(texts, HeadInputs(emotion_probas=emo, embeddings=emb))
    assert flags.tolist() == [1, 1, 0, 0]
    if model.uses_emotions:
        with pytest.raises(ModelError, match="pain-point head needs emotion probabilities"):
            model.score(texts, HeadInputs(embeddings=emb))
    if model.uses_embeddings:
        with pytest.raises(ModelError, match="pain-point head needs sentence vectors"):
            model.score(texts, HeadInputs(emotion_probas=emo))
        assert emb is not None
        with pytest.raises(ModelError, match="expects 384-d sentence vectors, got 383-d"):
            model.score(texts, HeadInputs(emotion_probas=emo, embeddings=emb[:, :383]))
    assert types[0] == "delivery/logistics" and types[1] == "reliability/quality"
    assert scores[0] > scores[2]


def test_annotate_texts_with_all_shipped_models() -> None:
    from insight.extract import annotate_texts

    df = annotate_texts(
        ["I'm so angry, my order is late again.", "", "I wish it was cheaper."], progress=False
    )
    assert len(df) == 3 and len([c for c in df.columns if c.startswith("emotion_")]) == 28
    assert df["pain_point"].tolist()[0] == 1 and df["goal"].tolist()[2] == 1
    assert df["ekman"][1] == "" and df["ekman"][0] in {"anger", "disgust", "sadness"}
