"""Personas rebuilt from a saved study store equal the ones built in memory.

The segmentation stage writes ``segment_stability`` as a table (segment, size, share,
jaccard); :meth:`StudyTables.from_store` must read it, so a study reopened from
``study.duckdb`` keeps its stability figures and its "unstable segment" warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_personas import tiny_study

from insight import schema as S
from insight.personas import StudyTables, build_personas
from insight.store import Store

TABLES = (
    "units",
    "respondents",
    "columns",
    "annotations",
    "segments",
    "segment_profiles",
    "vocabulary",
    "topics",
    "topic_assignments",
)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    from insight.embed import text_hash

    study = tiny_study()
    path = tmp_path_factory.mktemp("store") / "study.duckdb"
    stab = pd.DataFrame(
        {S.SEGMENT: [0, 1], "size": [4, 4], "share": [0.5, 0.5], "jaccard": [0.92, 0.6]}
    )
    texts = dict(zip(study.units[S.UNIT_ID], study.units[S.TEXT], strict=False))
    emb = pd.DataFrame(
        {
            "text_hash": [text_hash(texts[u]) for u in study.embeddings.index],
            "model": "fixture",
            "vector": [np.asarray(v, dtype=np.float32) for v in study.embeddings.to_numpy()],
        }
    )
    with Store(path) as store:
        for name in TABLES:
            store.write_table(name, getattr(study, name))
        store.write_table("segment_stability", stab)
        store.write_table("embeddings", emb)
    return study, path


@pytest.mark.slow
def test_stability_is_read_from_the_stored_table(saved):
    _study, path = saved
    with Store(path) as store:
        tables = StudyTables.from_store(store)
    personas = build_personas(tables)
    stab = {p.segment: p.confidence["stability"] for p in personas}
    assert stab == {0: pytest.approx(0.92), 1: pytest.approx(0.6)}
    unstable = [p for p in personas if any("unstable segment" in w for w in p.warnings)]
    assert [p.segment for p in unstable] == [1]


@pytest.mark.slow
def test_personas_rebuilt_from_store_equal_the_in_memory_ones(saved):
    study, path = saved
    with Store(path) as store:
        rebuilt = build_personas(StudyTables.from_store(store))
    original = build_personas(study)
    assert [p.to_dict() for p in rebuilt] == [p.to_dict() for p in original]


@pytest.mark.slow
def test_topic_claims_read_the_stored_topic_differences():
    """Personas read the topics stage's prevalence test instead of recomputing it."""
    study = tiny_study()
    plain = build_personas(study)
    rows = []
    for g in ("0", "1"):
        for t in (0, 1, 2):
            rows.append(
                {
                    "dimension": "group",
                    "group": g,
                    S.TOPIC: t,
                    S.TOPIC_LABEL: f"topic {t}",
                    "count": 1,
                    "n_group": 10,
                    "share_in_group": 0.5 if (g, t) == ("1", 2) else 0.1,
                    "share_rest": 0.1,
                    "z": 1.0,
                    "p": 0.001,
                    "method": "z",
                    "p_adj": 0.001 if (g, t) == ("1", 2) else 0.9,
                    "significant": (g, t) == ("1", 2),
                }
            )
    study.topic_differences = pd.DataFrame(rows)
    personas = build_personas(study)
    p1 = next(p for p in personas if p.segment == 1)
    distinct = [c for c in p1.topics if c.stats["distinctive"]]
    assert [c.stats["topic"] for c in distinct] == [2]
    assert distinct[0].stats["share"] == pytest.approx(0.5)
    assert distinct[0].stats["p_adj"] == pytest.approx(0.001)
    assert [p.topics for p in personas] != [p.topics for p in plain]
