"""The "auto" theme count follows the evidence: units of few people are not independent
(17 think-aloud sessions of 3,600 statements got 60 themes)."""

from __future__ import annotations

import numpy as np
import pytest

from insight.topics.model import TopicModel, auto_topics


def test_theme_count_follows_the_people_not_only_the_units():
    assert auto_topics(3600, 10, 60) == 60  # one answer per respondent: sqrt(n), capped
    assert auto_topics(3600, 10, 60, n_sources=3600) == 60
    assert auto_topics(3600, 10, 60, n_sources=17) == 16  # sqrt(sqrt(3600 * 17))
    assert auto_topics(12000, 10, 60, n_sources=125) == 35
    assert auto_topics(50, 10, 60, n_sources=2) == 3  # sqrt(sqrt(100))


@pytest.mark.slow  # labels the themes (spaCy): about a minute on a busy machine
def test_fit_with_groups_finds_fewer_themes_for_few_people():
    rng = np.random.default_rng(0)
    words = ["query", "map", "plot", "data", "window", "event", "download", "metadata"]
    docs = [" ".join(rng.choice(words, 4)) + f" item{i}" for i in range(400)]
    emb = rng.normal(size=(400, 16))
    alone = TopicModel(random_state=0).fit(docs, emb)
    people = [f"P{i % 4}" for i in range(400)]
    few = TopicModel(random_state=0).fit(docs, emb, groups=people)
    assert few.n_sources_ == 4
    assert few.n_topics_ <= auto_topics(400, 10, 60, 4) == 6 < alone.n_topics_
