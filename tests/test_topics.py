"""Topics: recovery of planted themes, reproducibility, outliers, evidence, new batches."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fakes import HashingEncoder

from insight import schema as S
from insight.embed import embed_texts
from insight.errors import InputError
from insight.store import Store
from insight.topics import (
    TopicModel,
    assign_batch,
    candidate_phrases,
    fit_topics,
)

REPO = Path(__file__).resolve().parents[1]

THEMES = {
    "delivery": ["delivery", "parcel", "courier", "arrived", "late", "shipping", "damaged"],
    "price": ["price", "expensive", "subscription", "cost", "plan", "cheaper", "fees"],
    "support": ["support", "agent", "ticket", "answered", "email", "helpdesk", "waited"],
    "app": ["app", "crashes", "login", "screen", "update", "battery", "settings"],
}


def themed(theme: str, n: int, seed: int) -> list[str]:
    """n texts, each 4 distinct words of one theme (deterministic)."""
    rng = np.random.default_rng(seed)
    words = THEMES[theme]
    return [" ".join(rng.choice(words, size=4, replace=False)) for _ in range(n)]


@pytest.fixture(scope="module")
def corpus():
    texts, gold = [], []
    for k, theme in enumerate(["delivery", "price", "support", "app"]):
        texts += themed(theme, 12, seed=k)
        gold += [k] * 12
    units = pd.DataFrame(
        {
            S.UNIT_ID: [f"u{i:02d}" for i in range(len(texts))],
            S.RESPONDENT_ID: [f"r{i // 2:02d}" for i in range(len(texts))],
            S.TEXT: texts,
        }
    )
    return units, np.array(gold)


def same_partition(a, b) -> bool:
    from sklearn.metrics import adjusted_rand_score

    return adjusted_rand_score(a, b) == 1.0


def test_fit_recovers_planted_themes_with_auto_k(corpus):
    units, gold = corpus
    model = TopicModel(embedder=HashingEncoder()).fit(units[S.TEXT].tolist())
    assert model.n_topics_ == 4
    assert same_partition(model.labels_, gold)
    assert model.outlier_share_before_ == 0.0 and model.outlier_share_after_ == 0.0
    # each label is made of the theme's own words
    for t in range(4):
        theme = list(THEMES)[int(np.bincount(gold[model.labels_ == t]).argmax())]
        words = set(" ".join(model.topic_keywords_[t]).split())
        assert words and words <= set(THEMES[theme])
    assert model.topic_labels_[-1] == "unassigned"


def test_same_seed_same_assignments_and_labels_in_one_process(corpus):
    units, _ = corpus
    texts = units[S.TEXT].tolist()
    a = TopicModel(embedder=HashingEncoder(), random_state=3).fit(texts)
    b = TopicModel(embedder=HashingEncoder(), random_state=3).fit(texts)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.topic_labels_ == b.topic_labels_


CROSS_PROCESS_SCRIPT = """
import json, sys
sys.path.insert(0, {tests!r})
from fakes import HashingEncoder
from test_topics import THEMES, themed
from insight.topics import TopicModel
texts = [t for k, th in enumerate(THEMES) for t in themed(th, 12, seed=k)]
texts += ["", "refund please", "battery dies fast after update"]
m = TopicModel(embedder=HashingEncoder(), random_state=7).fit(texts)
print(json.dumps({{"labels": m.labels_.tolist(),
                   "names": {{str(k): v for k, v in sorted(m.topic_labels_.items())}}}}))
"""


@pytest.mark.slow
def test_same_seed_same_result_across_two_processes(tmp_path):
    script = tmp_path / "fit.py"
    script.write_text(CROSS_PROCESS_SCRIPT.format(tests=str(REPO / "tests")))
    outs = [
        subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=True, cwd=REPO
        )
        .stdout.strip()
        .splitlines()[-1]
        for _ in range(2)
    ]
    assert outs[0] == outs[1]
    result = json.loads(outs[0])
    assert result["labels"][48] == -1  # the empty text
    # every theme holds one planted theme only (a planted theme may be split in two)
    labels = np.array(result["labels"][:48])
    gold = np.repeat(np.arange(4), 12)
    assert 4 <= len(set(labels.tolist())) <= 6
    assert all(len(set(gold[labels == t].tolist())) == 1 for t in set(labels.tolist()))


def test_empty_texts_are_unassigned_not_dropped(corpus):
    units, _ = corpus
    texts = [*units[S.TEXT].tolist(), "", "   ", "???"]
    model = TopicModel(embedder=HashingEncoder()).fit(texts)
    assert len(model.labels_) == len(texts)
    assert model.labels_[-3:].tolist() == [-1, -1, -1]
    assert model.outlier_share_after_ == pytest.approx(3 / len(texts))
    assert model.transform(["", "???"]).tolist() == [-1, -1]


def test_answers_without_content_words_join_no_theme():
    chatter = ["no", "not yet", "uh yeah okay", "Thank you so much!", "[name]", "yes please"]
    texts = chatter + themed("delivery", 10, seed=1) + themed("price", 10, seed=2)
    model = TopicModel(embedder=HashingEncoder(), n_topics=2).fit(texts)
    assert model.n_topics_ == 2
    assert (model.labels_[: len(chatter)] == -1).all() and (
        model.labels_[len(chatter) :] >= 0
    ).all()
    # only filler and stop words: a clean error, not a theme of "uh, okay"
    with pytest.raises(InputError, match="content words"):
        TopicModel(embedder=HashingEncoder()).fit(["no", "uh okay", "yes", "um, like, yeah"])


def test_hdbscan_outliers_reduced_by_nearest_centroid_with_floor(corpus):
    units, _ = corpus
    texts = [*units[S.TEXT].tolist(), "delivery parcel courier late", "support email"]
    model = TopicModel(
        reducer="pca",
        n_components=10,
        clusterer="hdbscan",
        min_topic_size=5,
        embedder=HashingEncoder(),
    ).fit(texts)
    raw_outlier = model.raw_labels_ == -1
    assert raw_outlier.mean() == model.outlier_share_before_ > model.outlier_share_after_
    sims = model.similarity(texts)
    best, top = sims.argmax(axis=1), sims.max(axis=1)
    lab = model.labels_
    joined = raw_outlier & (lab != -1)
    assert joined.any()
    # an outlier joins its most similar topic, and only when at least as similar as the floor
    np.testing.assert_array_equal(lab[joined], best[joined])
    assert (top[joined] >= model.similarity_floor_ - 1e-9).all()
    still_out = lab == -1
    assert (top[still_out] < model.similarity_floor_).all()
    # something unrelated to every topic is not forced into one
    assert model.transform(["zebra quantum violin harbour"]).tolist() == [-1]


def test_outlier_floor_none_keeps_clusterer_outliers(corpus):
    units, _ = corpus
    texts = [*units[S.TEXT].tolist(), "zebra quantum violin harbour"]
    model = TopicModel(
        clusterer="hdbscan", min_topic_size=5, reduce_outliers=False, embedder=HashingEncoder()
    ).fit(texts)
    assert model.outlier_share_after_ == model.outlier_share_before_ > 0


@pytest.mark.slow
def test_umap_hdbscan_stays_selectable(corpus):
    units, gold = corpus
    model = TopicModel(reducer="umap", min_topic_size=5, embedder=HashingEncoder()).fit(
        units[S.TEXT].tolist()
    )
    assert type(model.reducer_).__name__ == "UMAP"
    assert same_partition(model.labels_, gold)


def test_candidate_phrases_drop_stop_words_only_at_edges():
    _, vocab = candidate_phrases(["the ease of use is great", "ease of use matters"])
    assert "ease of use" in vocab
    assert "of use" not in vocab and "the ease" not in vocab and "is great" not in vocab


def test_candidates_of_rows_equal_the_subset_read_anew(corpus):
    """Sub-themes are labelled from their rows of the study's candidate phrases: the same
    phrases and matrix as reading the sub-theme's texts anew."""
    from insight.topics.labels import candidates_of_rows

    texts = [*corpus[0][S.TEXT].tolist(), "the ease of use is great", "[name] uh, ok"]
    full = candidate_phrases(texts)
    for rows in ([0, 3, 5, 30, 47, 48], [49], list(range(12))):
        got_m, got_v = candidates_of_rows(full, rows)
        want_m, want_v = candidate_phrases([texts[i] for i in rows])
        assert got_v == want_v
        if want_m is None:
            assert got_m is None
        else:
            assert (got_m != want_m).nnz == 0 and got_m.shape == want_m.shape


def test_phrases_encoded_once_per_encoder():
    """A fit labels themes and sub-themes from overlapping candidates: each distinct
    phrase goes through the encoder once, and the labels match a fresh encoder's."""
    texts = []
    for k, theme in enumerate(THEMES):
        texts += themed(theme, 40, seed=10 + k)
    vec = embed_texts(texts, embedder=HashingEncoder())
    enc = HashingEncoder()
    m = TopicModel(embedder=enc, random_state=0, n_topics=4).fit(texts, vec)
    assert m.n_subtopics_ > m.n_topics_  # sub-themes were labelled too
    assert enc.encoded and len(enc.encoded) == len(set(enc.encoded))
    again = TopicModel(embedder=HashingEncoder(), random_state=0, n_topics=4).fit(texts, vec)
    assert again.topic_labels_ == m.topic_labels_
    assert again.subtopic_labels_ == m.subtopic_labels_


def test_fit_topics_evidence_per_topic(corpus):
    units, gold = corpus
    enc = HashingEncoder()
    vectors = embed_texts(units[S.TEXT].tolist(), embedder=enc, progress=False)
    ann = pd.DataFrame(
        {
            S.UNIT_ID: units[S.UNIT_ID],
            S.SENTIMENT: np.where(gold == 0, -0.5, 0.5),
            S.PAIN_POINT: (gold == 0).astype(int),
            S.EKMAN: np.where(gold == 0, "anger", "joy"),
        }
    )
    res = fit_topics(units, vectors, annotations=ann, model=TopicModel(embedder=enc))
    t = res.topics
    assert sorted(u for ids in t["unit_ids"] for u in ids) == sorted(units[S.UNIT_ID])
    assert t["size"].sum() == len(units) and t["share"].sum() == pytest.approx(1.0)
    delivery = int(res.assignments.loc[0, S.TOPIC])  # u00 is a delivery text
    row = t.set_index(S.TOPIC).loc[delivery]
    assert row["mean_sentiment"] == pytest.approx(-0.5)
    assert row["pain_point_rate"] == pytest.approx(1.0)
    assert row["top_emotions"] == "anger 1.00"
    assert row["respondents"] == 6  # 12 units, two per respondent
    for r in t.itertuples():
        assert 3 <= len(r.quotes) <= 5
        assert set(r.quotes) <= set(r.unit_ids)
        resp = units.set_index(S.UNIT_ID).loc[r.quotes, S.RESPONDENT_ID]
        assert resp.is_unique
    assert list(res.assignments.columns) == [
        S.UNIT_ID,
        S.TOPIC,
        S.TOPIC_LABEL,
        "subtopic",
        "theme_id",
    ]


def test_fit_topics_without_annotations_leaves_nan(corpus):
    units, _ = corpus
    res = fit_topics(units, model=TopicModel(embedder=HashingEncoder()))
    assert res.topics["mean_sentiment"].isna().all()
    assert res.topics["pain_point_rate"].isna().all()
    assert res.topics["top_emotions"].isna().all()


def test_transform_new_batch_without_reembedding_old_units(tmp_path, corpus):
    units, gold = corpus
    enc = HashingEncoder()
    with Store(tmp_path / "study.duckdb") as store:
        old_vec = embed_texts(units[S.TEXT].tolist(), store=store, embedder=enc, progress=False)
        model = TopicModel(embedder=enc).fit(units[S.TEXT].tolist(), old_vec)
        seen = len(enc.encoded)
        new_texts = themed("price", 3, seed=11) + themed("app", 3, seed=12)
        new_units = pd.DataFrame({S.UNIT_ID: [f"n{i}" for i in range(6)], S.TEXT: new_texts})
        new_vec = embed_texts(new_texts, store=store, embedder=enc, progress=False)
        assert set(enc.encoded[seen:]) == set(new_texts)  # only the new batch was encoded
        out = model.transform_units(new_units, new_vec)
    price = model.labels_[gold == 1][0]
    app = model.labels_[gold == 3][0]
    assert out[S.TOPIC].tolist() == [price] * 3 + [app] * 3
    assert out[S.TOPIC_LABEL].iloc[0] == model.topic_labels_[price]
    assert len(model.emerging_) == 0


def test_emerging_topic_is_flagged(corpus):
    units, _ = corpus
    enc = HashingEncoder()
    model = TopicModel(embedder=enc, min_topic_size=5).fit(units[S.TEXT].tolist())
    refund = ["refund", "money", "back", "charged", "twice", "cancel", "bank"]
    rng = np.random.default_rng(5)
    new = [" ".join(rng.choice(refund, size=4, replace=False)) for _ in range(8)]
    new += themed("delivery", 4, seed=9)
    batch = pd.DataFrame({S.UNIT_ID: [f"b{i}" for i in range(len(new))], S.TEXT: new})
    res = assign_batch(model, batch, enc.encode(new))
    assert (res.assignments[S.TOPIC].iloc[:8] == -1).all()
    assert (res.assignments[S.TOPIC].iloc[8:] != -1).all()
    assert len(res.emerging) == 1
    e = res.emerging.iloc[0]
    assert e["unit_ids"] == [f"b{i}" for i in range(8)]
    assert set(e["label"].replace(",", " ").split()) <= set(refund)


def test_model_pickles_for_the_study_store(corpus):
    import pickle

    units, _ = corpus
    model = TopicModel(embedder=HashingEncoder()).fit(units[S.TEXT].tolist())
    back = pickle.loads(pickle.dumps(model))
    texts = themed("support", 3, seed=21)
    np.testing.assert_array_equal(back.transform(texts), model.transform(texts))


@pytest.mark.slow
@pytest.mark.models
def test_real_minilm_topics_on_thirty_sentences(tmp_path):
    from insight.embed import Embedder

    sentences = {
        "delivery": [
            "My package arrived two weeks late.",
            "The courier left the parcel in the rain.",
            "Shipping took far longer than promised.",
            "The box was damaged when it was delivered.",
            "Tracking said delivered but nothing came.",
            "Delivery was delayed again this month.",
            "The parcel went to the wrong address.",
            "I waited all day for the delivery driver.",
            "My order still has not shipped.",
            "The courier never rang the doorbell.",
        ],
        "price": [
            "The subscription is far too expensive.",
            "Prices went up again without warning.",
            "I can't justify paying this much every month.",
            "There are cheaper plans elsewhere.",
            "The annual fee is too high for what you get.",
            "Hidden fees made the total cost much higher.",
            "It costs twice as much as the competitor.",
            "The premium tier is overpriced.",
            "I cancelled because of the price increase.",
            "Good product but the cost is hard to swallow.",
        ],
        "app": [
            "The app crashes every time I open it.",
            "I can't log in on my phone since the update.",
            "The mobile app freezes on the settings screen.",
            "The new update drains my battery.",
            "The app keeps logging me out.",
            "Buttons in the app don't respond.",
            "The app is slow to load on Android.",
            "Notifications from the app stopped working.",
            "The app shows a blank screen after login.",
            "Syncing in the app fails with an error.",
        ],
    }
    texts = [s for group in sentences.values() for s in group]
    gold = np.repeat(np.arange(3), 10)
    emb = Embedder()
    x = embed_texts(texts, embedder=emb, progress=False)
    assert x.shape == (30, 384)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-5)
    model = TopicModel(embedder=emb, n_topics=3, random_state=0).fit(texts, x)
    from sklearn.metrics import normalized_mutual_info_score

    assert normalized_mutual_info_score(gold, model.labels_) >= 0.8
    again = TopicModel(embedder=emb, n_topics=3, random_state=0).fit(texts, x)
    assert again.topic_labels_ == model.topic_labels_
    labels = " ".join(model.topic_labels_[t] for t in range(3))
    assert re.search(r"app|deliver|price|cost|parcel|courier|expensive", labels)

    # the shipped int8 ONNX copy of the same model stays close to the fp32 vectors,
    # and a text's vector does not depend on its batch
    from insight.embed import OnnxEmbedder

    onnx = OnnxEmbedder(batch_size=8)
    x8 = onnx.encode(texts)
    assert x8.shape == x.shape
    assert ((x8 * x).sum(axis=1) > 0.99).all()
    alone = np.stack([onnx.encode([t])[0] for t in texts[:5]])
    np.testing.assert_array_equal(alone, x8[:5])


def test_topic_tables_round_trip_through_the_study_store(tmp_path, corpus):
    units, _ = corpus
    units = pd.concat(
        [units, pd.DataFrame({S.UNIT_ID: ["empty"], S.RESPONDENT_ID: ["r99"], S.TEXT: [""]})],
        ignore_index=True,
    )
    res = fit_topics(units, model=TopicModel(embedder=HashingEncoder()))
    with Store(tmp_path / "study.duckdb") as store:
        store.write_table("topics", res.topics)
        store.write_table("topic_assignments", res.assignments)
        back = store.read_table("topics")
    assert list(back["unit_ids"].iloc[-1]) == ["empty"]  # the unassigned row
    assert back[S.TOPIC].iloc[-1] == -1 and back["label"].iloc[-1] == "unassigned"
    assert sum(len(u) for u in back["unit_ids"]) == len(units)


def test_topic_model_saves_and_loads_one_way(corpus, tmp_path: Path) -> None:
    import pickle

    from insight.errors import ModelError, StoreError

    units, _ = corpus
    texts = units[S.TEXT].tolist()
    model = TopicModel(embedder=HashingEncoder(), n_topics=2, random_state=0).fit(texts)
    with Store(tmp_path / "s.duckdb") as st:
        with pytest.raises(StoreError, match="no fitted topic model"):
            TopicModel.load(st)
        model.save(st)
        back = TopicModel.load(st)
    assert (back.transform(texts) == model.transform(texts)).all()
    assert back.subtopic_ids_ == model.subtopic_ids_
    assert back.get_params()["n_topics"] == 2 and back.subtopic_labels_ == model.subtopic_labels_
    model.save(tmp_path / "m.pkl")
    assert TopicModel.load(tmp_path / "m.pkl").subtopic_labels_ == model.subtopic_labels_
    with pytest.raises(ModelError, match="not fitted"):
        TopicModel().save(tmp_path / "unfitted.pkl")
    # a model pickled before codebook ids existed gets the ids its sub-themes imply
    old = pickle.loads(pickle.dumps(model))
    del old.subtopic_ids_
    (tmp_path / "old.pkl").write_bytes(pickle.dumps(old))
    assert TopicModel.load(tmp_path / "old.pkl").subtopic_ids_ == model.subtopic_ids_
    # one too old to rebuild them: one line naming the fix, never a traceback
    del old.subtopic_parent_
    (tmp_path / "older.pkl").write_bytes(pickle.dumps(old))
    with pytest.raises(StoreError, match=r"older insight.*re-run `insight run`"):
        TopicModel.load(tmp_path / "older.pkl")
    (tmp_path / "bad.pkl").write_bytes(b"not a pickle")
    with pytest.raises(StoreError, match="not a fitted topic model"):
        TopicModel.load(tmp_path / "bad.pkl")
