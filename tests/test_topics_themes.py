"""Codebook-grade themes: scikit-learn contract, granularity, hierarchy, labels, questions."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
from fakes import HashingEncoder
from sklearn.base import clone
from test_topics import THEMES, themed

from insight import schema as S
from insight.topics import (
    TopicModel,
    auto_topics,
    candidate_phrases,
    fit_topics,
    group_subthemes,
    is_filler_label,
    label_topics,
    split_themes,
)


def _continuum(n: int, dim: int = 24, seed: int = 0) -> np.ndarray:
    """Points on a smooth curve in embedding space: no natural small number of clusters."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.random(n)) * 6 * np.pi
    freqs = np.arange(1, dim + 1) / 4
    return np.cos(np.outer(t, freqs)) + 0.05 * rng.standard_normal((n, dim))


def test_fit_changes_no_parameter_and_clone_works():
    texts = [t for k, th in enumerate(THEMES) for t in themed(th, 12, seed=k)]
    model = TopicModel(random_state=3, embedder=HashingEncoder())
    before = model.get_params()
    model.fit(texts)
    after = model.get_params()
    assert before.keys() == after.keys()
    assert all(before[k] is after[k] or before[k] == after[k] for k in before)
    assert model.embedder is before["embedder"]
    twin = clone(model)
    assert not hasattr(twin, "labels_")
    assert twin.get_params()["random_state"] == 3
    twin.fit(texts)
    np.testing.assert_array_equal(twin.labels_, model.labels_)
    # no embedder given: the default is kept as a fitted attribute, never written back
    x = HashingEncoder().encode(texts)
    bare = TopicModel().fit(texts, x)
    assert bare.embedder is None


def test_auto_granularity_is_codebook_grade_not_the_coarsest_split():
    # 1,600 units on a continuum: silhouette/elbow would take 2; a codebook has tens
    assert auto_topics(1600, 10, 60) == 40
    assert auto_topics(5000, 10, 60) == 60
    assert auto_topics(48, 10, 60) == 4
    x = _continuum(1600)
    texts = [f"word{i % 97} thing{i % 13}" for i in range(1600)]
    model = TopicModel().fit(texts, x)
    assert 8 <= model.n_topics_ <= 60


def test_near_duplicate_clusters_merge_into_one_theme():
    a = np.array([[1.0, 0.0, 0.0], [0.99, 0.1, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    parent = group_subthemes(a, merge_similarity=0.9)
    assert parent[0] == parent[1] and len(set(parent.tolist())) == 3
    assert group_subthemes(a, n_topics=2).max() == 1


def test_two_level_hierarchy_with_sizes_and_participants():
    texts = themed("delivery", 60, seed=1) + themed("price", 60, seed=2)
    units = pd.DataFrame(
        {
            S.UNIT_ID: [f"u{i}" for i in range(120)],
            S.RESPONDENT_ID: [f"r{i // 4}" for i in range(120)],
            S.TEXT: texts,
        }
    )
    res = fit_topics(units, model=TopicModel(embedder=HashingEncoder(), n_topics=2))
    h = res.hierarchy
    assert list(h.columns[:8]) == [
        "theme_id",
        "parent_id",
        "level",
        "topic",
        "label",
        "description",
        "n_units",
        "n_participants",
    ]
    themes, subs = h[h["level"] == 1], h[h["level"] == 2]
    assert len(themes) == 2 and themes["parent_id"].isna().all()
    assert len(subs) >= 4  # 60 units a theme: round(sqrt(60 / 8)) = 3 sub-themes each
    assert set(subs["parent_id"]) == set(themes["theme_id"])
    for tid, grp in subs.groupby("parent_id"):
        assert grp["n_units"].sum() == themes.set_index("theme_id").loc[tid, "n_units"]
    assert themes["n_units"].sum() == 120 and (themes["n_participants"] == 15).all()
    assert all(q in set(units[S.UNIT_ID]) for qs in h["quotes"] for q in qs)
    assert all("participants" in d for d in themes["description"])
    # the assignments carry the sub-theme id under its theme
    a = res.assignments
    assert a["theme_id"].str.match(r"^T[12]\.\d$").all()
    sub = np.asarray(res.model.subtopics_)
    assert all(
        res.model.subtopic_parent_[int(s)] == int(t) for s, t in zip(sub, a[S.TOPIC], strict=True)
    )


def test_split_themes_keeps_small_themes_whole():
    z = np.random.default_rng(0).standard_normal((50, 3))
    themes = np.array([0] * 40 + [1] * 9 + [-1])
    subs = split_themes(z, themes, min_topic_size=10, max_per_theme=5)
    assert subs[-1] == -1
    assert len(set(subs[:40].tolist())) == 2  # round(sqrt(40 / 8)) = 2
    assert len(set(subs[40:49].tolist())) == 1


def test_labels_never_filler_or_chatter():
    texts = [
        "uh, like, um, the export button was hard to find",
        "yeah, okay, thank you, the export button is hidden",
        "um the export button, you know, I could not find it",
        "yeah okay thanks, export button again",
    ]
    _, vocab = candidate_phrases(texts)
    assert "export button" in vocab
    assert not {"uh", "um", "like", "yeah", "okay", "thank", "yeah okay"} & set(vocab)
    labels = label_topics(texts, np.zeros(4, dtype=int))
    assert labels[0][0] == "export button"
    assert is_filler_label("uh, like, um") and is_filler_label("yeah, okay, thank")
    assert not is_filler_label("export button, hidden")


def test_same_label_is_not_given_to_two_themes():
    texts = ["export data csv"] * 5 + ["export data metadata"] * 5
    labels = label_topics(texts, np.array([0] * 5 + [1] * 5))
    assert labels[0][0] != labels[1][0]


def test_interviewer_turns_and_non_answers_join_no_theme():
    texts = themed("delivery", 20, seed=1) + themed("price", 20, seed=2)
    units = pd.DataFrame(
        {
            S.UNIT_ID: [f"u{i}" for i in range(44)],
            S.RESPONDENT_ID: [f"r{i % 10}" for i in range(44)],
            S.TEXT: [*texts, "delivery price courier plan", "n/a", "Did not answer", "none"],
            S.SPEAKER_ROLE: [S.ROLE_CUSTOMER] * 40 + ["interviewer"] + [S.ROLE_CUSTOMER] * 3,
        }
    )
    res = fit_topics(units, model=TopicModel(embedder=HashingEncoder(), n_topics=2))
    assert (res.assignments[S.TOPIC].iloc[40:] == -1).all()
    assert (res.assignments[S.TOPIC].iloc[:40] >= 0).all()
    assert res.excluded == {"not a participant": 1, "non-answer": 3}


def test_themes_per_survey_question():
    q1 = themed("delivery", 20, seed=1) + themed("price", 20, seed=2)
    q2 = themed("support", 20, seed=3) + themed("app", 20, seed=4)
    units = pd.DataFrame(
        {
            S.UNIT_ID: [f"u{i}" for i in range(80)],
            S.RESPONDENT_ID: [f"r{i % 40}" for i in range(80)],
            S.TEXT: q1 + q2,
            S.FIELD: ["q_experience"] * 40 + ["q_service"] * 40,
        }
    )
    model = TopicModel(embedder=HashingEncoder(), n_topics=2)
    res = fit_topics(units, model=model)
    bq = res.by_question
    assert set(bq["question"]) == {"q_experience", "q_service"}
    exp = bq[bq["question"] == "q_experience"]
    assert len(exp) == 2 and exp["n_units"].sum() == 40
    words = set(" ".join(exp["label"]).replace(",", " ").split())
    assert words <= set(THEMES["delivery"]) | set(THEMES["price"])
    assert all(u in set(units[S.UNIT_ID].iloc[:40]) for ids in exp["unit_ids"] for u in ids)
    # a study whose every prompt is unique (an AI interviewer) has no per-question table
    units[S.FIELD] = [f"prompt {i}" for i in range(80)]
    assert fit_topics(units, model=model).by_question.empty


def test_fitted_model_pickles_without_training_vectors():
    texts = [t for k, th in enumerate(THEMES) for t in themed(th, 12, seed=k)]
    model = TopicModel(embedder=HashingEncoder()).fit(texts)
    again = pickle.loads(pickle.dumps(model))
    assert not hasattr(again, "embeddings_")
    np.testing.assert_array_equal(again.transform(texts[:5]), model.labels_[:5])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no scikit-learn version warning on load
        pickle.loads(pickle.dumps(model))


def test_context_vectors_mix_only_neighbours_of_the_same_passage():
    from insight.topics import context_vectors

    x = np.eye(4)
    units = pd.DataFrame(
        {
            S.SOURCE: ["a.odt", "a.odt", "a.odt", "b.odt"],
            S.RESPONDENT_ID: ["P1", "P1", "P1", "P2"],
            S.FIELD: ["turn"] * 4,
        }
    )
    out = context_vectors(units, x, window=1, weight=1.0)
    # unit 0 gets unit 1 only; unit 1 gets the mean of 0 and 2; unit 3 is alone
    np.testing.assert_allclose(out[0], np.array([1, 1, 0, 0]) / np.sqrt(2))
    np.testing.assert_allclose(out[1], np.array([0.5, 1, 0.5, 0]) / np.sqrt(1.5))
    np.testing.assert_allclose(out[3], [0, 0, 0, 1])
    np.testing.assert_allclose(context_vectors(units, x, window=0), x)
