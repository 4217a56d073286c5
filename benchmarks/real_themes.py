"""Themes on real studies: agreement with the researchers' codes, granularity, labels.

``theme_agreement`` scores a theme assignment against researcher codes (NMI, ARI)
over the units that carry a code. ``align_codes`` gives each participant unit the
code of the researchers' highlighted segment it lies in (same transcript, the
unit's words inside the segment's words).

Dev studies (the theme rule in ``insight.topics.model`` was chosen on these, so
the numbers below are "tuned on" them, not held-out):

* ``real_studies/usability_serdif``: 17 think-aloud sessions read by ``insight``
  ingest (participant units only), 1,930 coded segments with 22 codes;
  insight's default beside ``BERTopic(embedding_model=<the same int8 MiniLM>)``
  fit on the same units with the same embeddings (its -1 outliers count as one
  cluster, as its output stands);
* ``interviews/creatives_transcripts.csv``: 125 AI-led interviews (no codes):
  number of themes, sizes, filler labels.

    python benchmarks/real_themes.py            # both studies, writes results/real_themes.json
    python benchmarks/real_themes.py --no-bertopic

Embeddings are cached in benchmarks/.cache/real_themes.duckdb (by text hash).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets"
SERDIF = DATA / "real_studies" / "usability_serdif"
CREATIVES = DATA / "interviews" / "creatives_transcripts.csv"
CACHE = ROOT / "benchmarks" / ".cache" / "real_themes.duckdb"
RESULT = ROOT / "benchmarks" / "results" / "real_themes.json"

_WORDS = re.compile(r"[a-z0-9]+")


def _norm(text: object) -> str:
    return " ".join(_WORDS.findall(str(text).lower()))


def align_codes(units: Any, segments: Any, min_overlap: float = 0.6, min_words: int = 3) -> Any:
    """The researchers' code of each unit (a Series indexed by unit_id; None when uncoded).

    A unit takes the code of a segment of the same document (``units.source`` vs
    ``segments.document``, by file name) whose text contains the unit's text, or,
    failing that, which holds at least ``min_overlap`` of the unit's words; among
    several, the segment sharing the most words wins (then the first listed).
    Units of fewer than ``min_words`` words ("Okay.", "Yes, I see") are not
    aligned: they sit inside almost any segment.
    """
    import pandas as pd

    from insight import schema as S

    by_doc: dict[str, list[tuple[str, str, set[str]]]] = {}
    for seg in segments.itertuples(index=False):
        norm = _norm(seg.content)
        by_doc.setdefault(Path(str(seg.document)).name, []).append(
            (str(seg.tag), norm, set(norm.split()))
        )
    codes: dict[str, str | None] = {}
    for u in units.itertuples(index=False):
        doc = Path(str(getattr(u, S.SOURCE))).name
        text = _norm(getattr(u, S.TEXT))
        words = set(text.split())
        best: tuple[float, str] | None = None
        if len(words) >= min_words:
            for tag, seg_text, seg_words in by_doc.get(doc, []):
                if f" {text} " in f" {seg_text} ":
                    score = 1.0 + len(words) / 1e6
                else:
                    share = len(words & seg_words) / len(words)
                    if share < min_overlap:
                        continue
                    score = share
                if best is None or score > best[0]:
                    best = (score, tag)
        codes[str(getattr(u, S.UNIT_ID))] = best[1] if best else None
    return pd.Series(codes, dtype=object)


def theme_agreement(
    unit_ids: Sequence[Any], themes: Sequence[int], codes: Any
) -> dict[str, float | int]:
    """NMI and ARI of a theme assignment against researcher codes.

    Args:
        unit_ids: the units, in the order of ``themes``.
        themes: theme per unit (-1 "unassigned" counts as one more cluster).
        codes: the researchers' code per unit_id (a mapping or Series); units
            without a code are left out of the score.

    Returns:
        nmi, ari (arithmetic-mean NMI, as scikit-learn), n_units_scored, n_codes,
        n_themes (themes other than -1 among all units), unassigned_share (among
        scored units).
    """
    import numpy as np
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    codes = dict(codes.items()) if hasattr(codes, "items") else dict(codes)
    pairs = [
        (codes.get(str(u)), int(t))
        for u, t in zip(unit_ids, themes, strict=True)
        if codes.get(str(u)) is not None
    ]
    if not pairs:
        raise ValueError("no unit carries a code: check that units and codes share unit ids")
    gold = [c for c, _ in pairs]
    pred = [t for _, t in pairs]
    return {
        "nmi": round(float(normalized_mutual_info_score(gold, pred)), 4),
        "ari": round(float(adjusted_rand_score(gold, pred)), 4),
        "n_units_scored": len(pairs),
        "n_codes": len(set(gold)),
        "n_themes": len({int(t) for t in themes} - {-1}),
        "unassigned_share": round(float(np.mean(np.asarray(pred) == -1)), 4),
    }


def participant_units(paths: Sequence[Path]) -> Any:
    """Participant units of a study as ``insight`` ingest reads them."""
    from insight import schema as S
    from insight.ingest import ingest_paths

    units = ingest_paths(paths).units
    return units[units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER].reset_index(drop=True)


def _embed(texts: list[str]) -> Any:
    import numpy as np

    from insight.embed import default_embedder, embed_texts
    from insight.store import Store

    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with Store(CACHE) as store:
        return np.asarray(
            embed_texts(texts, store=store, embedder=default_embedder(), progress=True)
        )


def fit_insight(units: Any, vectors: Any, seed: int = 0) -> tuple[Any, float]:
    """insight's default themes (the pipeline's call) and the seconds it took."""
    from insight.embed import default_embedder
    from insight.topics import TopicModel, fit_topics

    t0 = time.perf_counter()
    res = fit_topics(
        units, vectors, model=TopicModel(embedder=default_embedder(), random_state=seed)
    )
    return res, time.perf_counter() - t0


def fit_bertopic(texts: list[str], vectors: Any) -> tuple[Any, float]:
    """BERTopic's defaults with the same MiniLM injected as its embedding model."""
    import numpy as np
    from bertopic import BERTopic

    from insight.embed import default_embedder
    from insight.topics.model import _bertopic_embedder

    t0 = time.perf_counter()
    topic_model = BERTopic(embedding_model=_bertopic_embedder(default_embedder()))
    labels = np.asarray(topic_model.fit_transform(texts, embeddings=vectors)[0])
    return labels, time.perf_counter() - t0


def theme_summary(res: Any) -> dict[str, Any]:
    """Number of themes, sizes, filler labels and the codebook's top lines."""
    from insight.topics import is_filler_label

    t = res.topics[res.topics["topic"] >= 0]
    h = res.hierarchy
    labels = h["label"].tolist()
    filler = [lab for lab in labels if is_filler_label(lab)]
    sizes = sorted(t["size"].tolist(), reverse=True)
    return {
        "n_themes": len(t),
        "n_subthemes": int((h["level"] == 2).sum()),
        "filler_labels": len(filler),
        "filler_label_examples": filler[:5],
        "theme_sizes_units": sizes,
        "theme_participants_median": float(t["n_participants"].median()),
        "unassigned_share": round(res.outlier_share_after, 4),
        "excluded": res.excluded,
        "themes": [
            {
                "theme_id": r.theme_id,
                "label": r.label,
                "n_units": int(r.n_units),
                "n_participants": int(r.n_participants),
            }
            for r in h[h["level"] == 1].itertuples()
        ],
    }


def run_serdif(bertopic: bool, seed: int) -> dict[str, Any]:
    import pandas as pd

    from insight import schema as S

    units = participant_units([SERDIF / "transcripts"])
    segments = pd.read_csv(SERDIF / "coded_segments.csv")
    codes = align_codes(units, segments)
    texts = units[S.TEXT].astype(str).tolist()
    vectors = _embed(texts)
    res, seconds = fit_insight(units, vectors, seed)
    ids = units[S.UNIT_ID].tolist()
    out: dict[str, Any] = {
        "units": "participant units from insight ingest of transcripts/*.odt",
        "n_units": len(units),
        "n_units_coded": int(codes.notna().sum()),
        "coded_segments": len(segments),
        "n_codes": int(segments["tag"].nunique()),
        "insight": {
            **theme_agreement(ids, res.assignments[S.TOPIC].tolist(), codes),
            "subtheme_level": theme_agreement(ids, res.assignments["subtopic"].tolist(), codes),
            "fit_seconds": round(seconds, 1),
            **{k: v for k, v in theme_summary(res).items() if k != "themes"},
            "themes": theme_summary(res)["themes"],
        },
    }
    print("serdif insight", {k: v for k, v in out["insight"].items() if k != "themes"}, flush=True)
    if bertopic:
        labels, bt_seconds = fit_bertopic(texts, vectors)
        out["bertopic_default"] = {
            **theme_agreement(ids, labels.tolist(), codes),
            "outlier_share": round(float((labels == -1).mean()), 4),
            "fit_seconds": round(bt_seconds, 1),
        }
        print("serdif bertopic", out["bertopic_default"], flush=True)
    return out


def run_creatives(seed: int) -> dict[str, Any]:
    from insight import schema as S

    units = participant_units([CREATIVES])
    vectors = _embed(units[S.TEXT].astype(str).tolist())
    res, seconds = fit_insight(units, vectors, seed)
    out = {
        "units": "participant (User:) units from insight ingest",
        "n_units": len(units),
        "n_participants": int(units[S.RESPONDENT_ID].nunique()),
        "fit_seconds": round(seconds, 1),
        **theme_summary(res),
    }
    print("creatives", {k: v for k, v in out.items() if k != "themes"}, flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--no-bertopic", action="store_true", help="skip BERTopic (UMAP is slow)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    doc = {
        "benchmark": "real_themes",
        "command": "python benchmarks/real_themes.py"
        + (" --no-bertopic" if args.no_bertopic else ""),
        "tuned_on": (
            "these are the dev studies the theme rule was chosen on: the numbers are "
            "'tuned on' them, not held-out"
        ),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "serdif": run_serdif(not args.no_bertopic, args.seed),
        "creatives": run_creatives(args.seed),
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()
