"""Segmentation policy behind personas: skip logic, interview groups, archetypes, names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight import schema as S
from insight.segment.policy import (
    coverage,
    min_segment_size,
    segment_items,
    segment_study,
)


def _columns(names: list[str], labels: str = "strongly disagree ... strongly agree"):
    return pd.DataFrame(
        {
            S.COL_NAME: names,
            S.COL_ROLE: S.ROLE_LIKERT,
            S.COL_QUESTION: [f"How much do you agree - item {n}" for n in names],
            "labels": labels,
            "scale_min": 1,
            "scale_max": 5,
        }
    )


def _skip_logic_survey(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Core items A1-A4 for everyone; branch items B1-B4 only for the 25 who said yes."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    rows = []
    for i in range(n):
        row = {
            S.RESPONDENT_ID: f"r{i}",
            S.SOURCE: "survey.csv",
            S.SOURCE_TYPE: S.SOURCE_SURVEY,
        }
        centre = 4.5 if group[i] else 1.5
        for j in range(1, 5):
            row[f"A{j}"] = float(np.clip(round(centre + rng.normal(0, 0.6)), 1, 5))
        for j in range(1, 5):
            row[f"B{j}"] = float(rng.integers(1, 6)) if i < 25 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def test_branch_items_are_left_out_and_named():
    resp = _skip_logic_survey()
    cols = _columns([f"A{j}" for j in range(1, 5)] + [f"B{j}" for j in range(1, 5)])
    choice = segment_items(cols, resp)
    assert choice.items == ["A1", "A2", "A3", "A4"]
    assert choice.left_out == ["B1", "B2", "B3", "B4"]
    assert choice.coverage["B1"] == pytest.approx(25 / 120, abs=1e-4)


def test_survey_with_skip_logic_covers_everyone():
    resp = _skip_logic_survey()
    cols = _columns([f"A{j}" for j in range(1, 5)] + [f"B{j}" for j in range(1, 5)])
    empty = pd.DataFrame(
        {S.UNIT_ID: [], S.RESPONDENT_ID: [], S.TEXT: [], S.SPEAKER_ROLE: []}, dtype=object
    )
    plan = segment_study(empty, resp, cols, np.zeros((0, 4)), n_bootstrap=5)
    assert plan.mode == "attitudes" and plan.items == ["A1", "A2", "A3", "A4"]
    assert plan.coverage["respondents"] == 120
    assert plan.coverage["share"] >= 0.9
    assert any("only one branch" in n for n in plan.notes)
    assert plan.meta()["coverage"] == plan.coverage


def _interviews(n_people: int, seed: int = 0):
    """Two kinds of participant: one talks about licensing, the other about output quality."""
    rng = np.random.default_rng(seed)
    texts = {
        0: [
            "Copyright and licensing of the images worry me every week",
            "Clients ask who owns the licensing rights to the artwork",
            "The legal side of training data keeps me awake at night",
        ],
        1: [
            "The output quality drifts between sessions and I redo the work",
            "Inconsistent results mean I fix half of the drafts by hand",
            "Quality control of generated drafts takes most of my afternoon",
        ],
    }
    base = rng.normal(size=(2, 16))
    units, vecs, resp = [], [], []
    for p in range(n_people):
        kind = p % 2
        resp.append(
            {
                S.RESPONDENT_ID: f"p{p}",
                S.SOURCE: f"interview_{p}.txt",
                S.SOURCE_TYPE: S.SOURCE_TRANSCRIPT,
            }
        )
        for j, text in enumerate(texts[kind]):
            units.append(
                {
                    S.UNIT_ID: f"p{p}-{j}",
                    S.RESPONDENT_ID: f"p{p}",
                    S.TEXT: text,
                    S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
                }
            )
            vecs.append(base[kind] + rng.normal(0, 0.3, 16))
    return pd.DataFrame(units), np.array(vecs), pd.DataFrame(resp)


def test_interview_groups_follow_what_people_say_without_internal_profiles():
    from sklearn.metrics import adjusted_rand_score

    units, vecs, resp = _interviews(30)
    plan = segment_study(units, resp, None, vecs, n_bootstrap=5)
    assert plan.mode == "text"
    seg = plan.assignments.set_index(S.RESPONDENT_ID)[S.SEGMENT]
    truth = [int(r[1:]) % 2 for r in seg.index]
    assert adjusted_rand_score(truth, seg.to_numpy()) >= 0.5
    assert plan.profiles.empty  # nothing internal is ever shown as an attitude
    assert seg.value_counts().min() >= min_segment_size(30)
    assert plan.coverage == {"respondents": 30, "assigned": 30, "share": 1.0, "unassigned": 0}


def test_small_batches_get_archetypes():
    units, vecs, resp = _interviews(10)
    plan = segment_study(units, resp, None, vecs, n_bootstrap=5)
    assert plan.mode == "archetypes"
    assert set(plan.assignments["segment_source"]) == {"archetype"}
    assert plan.assignments[S.SEGMENT].value_counts().min() >= 3
    units, vecs, resp = _interviews(4)
    plan = segment_study(units, resp, None, vecs, n_bootstrap=5)
    assert plan.assignments[S.SEGMENT].nunique() == 1 and plan.model is None


def test_min_segment_size_and_coverage():
    assert min_segment_size(20) == 3 and min_segment_size(200) == 10
    resp = pd.DataFrame(
        {
            S.RESPONDENT_ID: ["a", "b", "c", "d"],
            S.SOURCE_TYPE: [S.SOURCE_SURVEY, S.SOURCE_SURVEY, S.SOURCE_TRANSCRIPT, "review"],
        }
    )
    seg = pd.DataFrame({S.RESPONDENT_ID: ["a", "c"], S.SEGMENT: [0, 1]})
    assert coverage(seg, resp) == {
        "respondents": 3,
        "assigned": 2,
        "share": 0.6667,
        "unassigned": 1,
    }


@pytest.mark.slow
def test_interview_personas_name_in_study_words_with_archetype_note():
    from insight.nlp import FILLER_WORDS, STOP_WORDS
    from insight.personas import StudyTables, build_personas

    units, vecs, resp = _interviews(10)
    plan = segment_study(units, resp, None, vecs, n_bootstrap=5)
    units = units.assign(
        **{
            S.SOURCE: "x.txt",
            S.SOURCE_TYPE: S.SOURCE_TRANSCRIPT,
            S.QUESTION: None,
            S.TURN: 1,
        }
    )
    ann = pd.DataFrame(
        {
            S.UNIT_ID: units[S.UNIT_ID],
            S.PAIN_POINT: 1,
            S.PAIN_POINT_TYPE: "price/value",
            S.PAIN_POINT_SCORE: 0.8,
            S.SENTIMENT: -0.4,
            S.INTENSITY: 0.5,
        }
    )
    emb = pd.DataFrame(vecs, index=pd.Index(units[S.UNIT_ID], name=S.UNIT_ID))
    tables = StudyTables(
        units=units,
        respondents=resp,
        annotations=ann,
        segments=plan.assignments,
        segment_profiles=plan.profiles,
        embeddings=emb,
    )
    personas = build_personas(tables)
    assert len(personas) >= 1
    for p in personas:
        assert "Price-Pressured" not in p.name and "Customer" not in p.name
        words = [w.strip(",&").lower() for w in p.name.split()[1:]]
        assert all(len(w) > 1 for w in words if w)
        content = {w for w in words if w not in {"troubled", "by", "archetype", "group"}}
        assert not content & (FILLER_WORDS | STOP_WORDS)
        assert p.summary.startswith(f"{p.size} of 10 participants")
        assert p.confidence["level"] == "low"
        assert any(w.startswith("archetype") for w in p.warnings)
        assert not p.attitudes
        assert all(p.confidence["respondents_with_text"] == c.N for c in p.pain_points)


def test_survey_respondents_who_skipped_every_item_join_by_their_text():
    resp = _skip_logic_survey()
    extra = pd.DataFrame(
        {
            S.RESPONDENT_ID: [f"x{i}" for i in range(10)],
            S.SOURCE: "survey.csv",
            S.SOURCE_TYPE: S.SOURCE_SURVEY,
        }
    )
    resp = pd.concat([resp, extra], ignore_index=True)
    cols = _columns([f"A{j}" for j in range(1, 5)])
    ids = [f"r{i}" for i in range(120)] + [f"x{i}" for i in range(10)]
    units = pd.DataFrame(
        {
            S.UNIT_ID: [f"u{i}" for i in range(len(ids))],
            S.RESPONDENT_ID: ids,
            S.TEXT: "the price of the service is too high for us",
            S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
        }
    )
    vecs = np.random.default_rng(1).normal(size=(len(ids), 8))
    plan = segment_study(units, resp, cols, vecs, n_bootstrap=5)
    joined = plan.assignments[plan.assignments[S.RESPONDENT_ID].str.startswith("x")]
    assert len(joined) == 10 and set(joined["segment_source"]) == {"text-similarity"}
    assert plan.coverage["respondents"] == 130 and plan.coverage["share"] >= 0.9
