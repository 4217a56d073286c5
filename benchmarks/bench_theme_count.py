"""How many themes a study gets, before and after the theme count followed the people.

Before: ``k = sqrt(n_units)`` in [2, 60] whoever said the units (17 think-aloud sessions
of 3,600+ statements got 60 themes). After: ``sqrt(sqrt(n_units * n_people))`` when the
units come from fewer people than units (``insight.topics.model.auto_topics``). "Before"
is the same fit with the respondent ids withheld (``fit_topics`` then cannot count
people), so only the rule differs.

* serdif (17 sessions, 22 researcher codes): themes and NMI / ARI against the codes
  (``benchmarks/real_themes.py``'s alignment; the rule was chosen looking at this study
  and the creatives interviews, so these numbers are **tuned on** them);
* creatives (125 interviews): themes;
* NHS FFT (one comment per respondent): k from the rule only (no fit: one person per
  answer leaves the rule as it was, so the fitted themes are the same by construction).

    python benchmarks/bench_theme_count.py     # writes results/theme_count.json

M10 (``bench_topics.py``) fits ``TopicModel`` without respondents: unchanged by
construction.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
RESULT = ROOT / "benchmarks" / "results" / "theme_count.json"
NHS = ROOT.parent / "shared" / "datasets" / "nhs_fft" / "nhs_fft_dev.csv"


def _fit(units: Any, vectors: Any, with_people: bool) -> Any:
    from insight import schema as S
    from insight.embed import default_embedder
    from insight.topics import TopicModel, fit_topics

    data = units if with_people else units.drop(columns=[S.RESPONDENT_ID])
    model = TopicModel(embedder=default_embedder(), random_state=0)
    return fit_topics(data, vectors, model=model)


def _themes(res: Any) -> int:
    return int((res.topics["topic"] >= 0).sum())


def main() -> None:
    import pandas as pd
    import real_themes as rt

    from insight import schema as S
    from insight.topics.model import auto_topics

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    doc: dict[str, Any] = {
        "benchmark": "theme_count",
        "command": "python benchmarks/bench_theme_count.py",
        "tuned_on": "serdif and creatives: the rule was chosen looking at them",
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    units = rt.participant_units([rt.SERDIF / "transcripts"])
    codes = rt.align_codes(units, pd.read_csv(rt.SERDIF / "coded_segments.csv"))
    vectors = rt._embed(units[S.TEXT].astype(str).tolist())
    ids = units[S.UNIT_ID].tolist()
    serdif: dict[str, Any] = {
        "n_units": len(units),
        "n_people": int(units[S.RESPONDENT_ID].nunique()),
    }
    for key, with_people in (("before", False), ("after", True)):
        res = _fit(units, vectors, with_people)
        agree = rt.theme_agreement(ids, res.assignments[S.TOPIC].tolist(), codes)
        serdif[key] = {"themes": _themes(res), **agree}
        print("serdif", key, serdif[key], flush=True)
    doc["serdif"] = serdif
    units = rt.participant_units([rt.CREATIVES])
    vectors = rt._embed(units[S.TEXT].astype(str).tolist())
    creatives: dict[str, Any] = {
        "n_units": len(units),
        "n_people": int(units[S.RESPONDENT_ID].nunique()),
    }
    for key, with_people in (("before", False), ("after", True)):
        creatives[key] = {"themes": _themes(_fit(units, vectors, with_people))}
        print("creatives", key, creatives[key], flush=True)
    doc["creatives"] = creatives
    nhs = rt.participant_units([NHS])
    n, people = len(nhs), int(nhs[S.RESPONDENT_ID].nunique())
    doc["nhs_fft"] = {
        "n_units": n,
        "n_people": people,
        "k_before": auto_topics(n, 10, 60),
        "k_after": auto_topics(n, 10, 60, people),
        "note": "k-means clusters from the rule, before near-duplicate merging; not fitted",
    }
    print("nhs_fft", doc["nhs_fft"], flush=True)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()
