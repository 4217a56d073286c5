"""On the Brewline sample study, each planted segment's planted wording is among its
top distinctive terms (segments known from samples/truth, MiniLM variant grouping)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TOP = 20


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


@pytest.fixture(scope="module")
def sample_vocab() -> tuple[pd.DataFrame, list[dict]]:
    from insight.ingest import ingest_paths
    from insight.vocabulary import extract_vocabulary

    units = ingest_paths([str(SAMPLES / "survey")]).units
    units = units[units["speaker_role"] == "customer"]
    truth = pd.read_csv(SAMPLES / "truth" / "respondents.csv")
    groups = pd.Series(truth["segment_index"].astype(str).values, index=truth["ResponseId"])
    segments = json.loads((SAMPLES / "truth" / "segments.json").read_text())["segments"]
    return extract_vocabulary(units, groups=groups, top_n=TOP), segments


def planted_ranks(vocab: pd.DataFrame, segment: dict) -> dict[str, int | None]:
    """Rank (0-based) of each planted phrase among the segment's top terms by z; a
    phrase counts when it is the term or one of its grouped variants."""
    rows = vocab[vocab["group"] == str(segment["index"])].sort_values("z", ascending=False)
    forms = [{_norm(r.term)} | {_norm(v) for v in r.variants} for r in rows.head(TOP).itertuples()]
    return {
        w: next((i for i, f in enumerate(forms) if _norm(w) in f), None) for w in segment["wording"]
    }


@pytest.mark.slow
@pytest.mark.models
def test_planted_wording_ranks_among_segment_top_terms(sample_vocab) -> None:
    vocab, segments = sample_vocab
    found = 0
    for seg in segments:
        ranks = planted_ranks(vocab, seg)
        hits = [w for w, r in ranks.items() if r is not None]
        # measured: 5, 5, 5, 3 of 5 (missing "across our sites", "queue out the
        # door"); each segment must show most of its wording
        assert len(hits) >= 3, (seg["name"], ranks)
        found += len(hits)
    assert found >= 16


@pytest.mark.slow
@pytest.mark.models
def test_sample_rows_are_distinctive_and_quotes_verbatim(sample_vocab) -> None:
    vocab, segments = sample_vocab
    for seg in segments:
        g = vocab[vocab["group"] == str(seg["index"])]
        assert len(g) == TOP and (g["z"] > 0).all()
    # a planted phrase is distinctive of its own segment only
    overall = vocab[vocab["group"] == "all"]
    rip = overall[overall["term"].str.lower() == "rip-off"]
    if len(rip):
        assert list(rip["distinctive_in"].iat[0]) == ["0"]
    for ex_list in vocab["examples"]:
        assert ex_list
        for ex in ex_list:
            assert ex["variant"] in ex["quote"]
