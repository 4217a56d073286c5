"""Pain points and goals of a finished study, read as the study's researcher reads them.

Scores the ``personas.json`` (and ``study.duckdb``) of an ``insight run`` folder:

* pain-theme labels: how many, how many are word lists (a comma inside), how many say a
  problem in so many words (a problem cue of ``insight.extract.pain_labels``, or "Problems
  with ..."; the cue list is the labeller's own, so this share is not independent of it);
* pain quotes: the share that use a content word of their label, that say a problem,
  and that deny one ("I don't believe I encountered any errors": must be 0);
* goal labels and quotes: word lists, and the share of goal quotes that state a goal
  (``insight.extract.goals.goal_statement``: again the labeller's own rule);
* with the researchers' codes (serdif ``coded_segments.csv``; units aligned by
  ``real_themes.align_codes``): the share of pain-theme units whose code is a pain code,
  each pain theme's purity (share of its coded units carrying its commonest code,
  weighted by coded units) and NMI of pain theme vs code over the coded pain units; the
  share of goal units coded as a suggestion or request for explanation.

Tuned on: the problem cues, denial rule and goal-statement rules were written while
reading usability_serdif and creatives outputs, so their numbers are "tuned on" them;
NHS FFT is read only. The complaints data is never used here.

    python benchmarks/real_claims.py OUT_DIR [--codes coded_segments.csv]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: serdif codes that record a problem (codebook.csv: "complex", "not clear", an issue,
#: "not useful or confusing", a request for more explanation)
PAIN_CODES = frozenset(
    {
        "System issue",
        "Navigation complex",
        "Task sequence complex",
        "Wording not clear",
        "Query process complex",
        "Search information process complex",
        "Plot design complex",
        "Event concept and approach not clear",
        "Metadata content not useful or confusing",
        "Additional explanation",
    }
)
GOAL_CODES = frozenset({"Additional feature suggestion", "Additional explanation"})
_WORD = re.compile(r"[a-z][a-z0-9\-]+")


def _stems(text: str) -> set[str]:
    from insight.nlp import content_tokens

    return {w[:5] for w in content_tokens(str(text))}


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def claim_quality(personas: list[dict[str, Any]]) -> dict[str, Any]:
    """Label and quote measures of the pain and goal claims of ``personas``."""
    from insight.extract.goals import goal_statement
    from insight.extract.pain_labels import denies_problem, states_problem

    out: dict[str, Any] = {}
    for kind, key in (("pain_points", "pain"), ("goals", "goal")):
        claims = [c for p in personas for c in (p.get(kind) or [])]
        labels = sorted({str(c.get("label")) for c in claims})
        quotes = [(str(c.get("label")), str(q.get("text"))) for c in claims for q in c["quotes"]]
        res: dict[str, Any] = {
            "claims": len(claims),
            "distinct_labels": len(labels),
            "word_list_labels": sum("," in lab for lab in labels),
            "quotes": len(quotes),
            "quotes_using_a_label_word": _share(
                [bool(_stems(q) & _stems(lab)) for lab, q in quotes]
            ),
        }
        if key == "pain":
            res["labels_saying_a_problem"] = _share(
                [
                    states_problem(lab) or lab.startswith(("Problems", "Issues", "Errors"))
                    for lab in labels
                ]
            )
            res["quotes_saying_a_problem"] = _share([states_problem(q) for _l, q in quotes])
            res["quotes_denying_a_problem"] = sum(denies_problem(q) for _l, q in quotes)
        else:
            res["quotes_stating_a_goal"] = _share(
                [goal_statement(q) is not None for _l, q in quotes]
            )
        res["labels"] = labels[:20]
        out[key] = res
    return out


def code_agreement(personas: list[dict[str, Any]], codes: Any) -> dict[str, Any]:
    """Pain and goal claims against the researchers' codes (``codes``: unit_id -> code)."""
    from sklearn.metrics import normalized_mutual_info_score

    codes = {str(k): v for k, v in codes.items() if v is not None}
    theme_of: dict[str, str] = {}
    for p in personas:
        for c in p.get("pain_points") or []:
            for u in c.get("unit_ids") or []:
                theme_of.setdefault(str(u), str(c.get("label")))
    coded = {u: t for u, t in theme_of.items() if u in codes}
    by_theme: dict[str, Counter[str]] = {}
    for u, t in coded.items():
        by_theme.setdefault(t, Counter())[codes[u]] += 1
    top = {t: cnt.most_common(1)[0] for t, cnt in by_theme.items()}
    goal_units = {
        str(u) for p in personas for c in (p.get("goals") or []) for u in c.get("unit_ids") or []
    }
    goal_coded = [codes[u] for u in goal_units if u in codes]
    return {
        "pain_units": len(theme_of),
        "pain_units_coded": len(coded),
        "pain_units_with_a_pain_code": _share([codes[u] in PAIN_CODES for u in coded]),
        "pain_theme_purity": round(sum(n for _c, n in top.values()) / max(len(coded), 1), 4),
        "pain_themes_whose_commonest_code_is_a_pain_code": _share(
            [c in PAIN_CODES for c, _n in top.values()]
        ),
        "pain_theme_vs_code_nmi": round(
            float(
                normalized_mutual_info_score([codes[u] for u in coded], [coded[u] for u in coded])
            ),
            4,
        )
        if coded
        else None,
        "goal_units": len(goal_units),
        "goal_units_coded": len(goal_coded),
        "goal_units_coded_as_suggestion_or_explanation": _share(
            [c in GOAL_CODES for c in goal_coded]
        ),
        "theme_commonest_code": {t: c for t, (c, _n) in sorted(top.items())},
    }


def score_study(out: Path, codes_csv: Path | None = None) -> dict[str, Any]:
    """Both measures for one finished study folder."""
    personas = json.loads((out / "personas.json").read_text()).get("personas", [])
    res: dict[str, Any] = claim_quality(personas)
    if codes_csv is not None and codes_csv.exists():
        import pandas as pd

        from insight.store import Store

        sys.path.insert(0, str(ROOT / "benchmarks"))
        from real_themes import align_codes

        with Store(out / "study.duckdb", read_only=True) as st:
            units = st.read_table("units")
        part = units[units["speaker_role"] == "customer"]
        codes = align_codes(part, pd.read_csv(codes_csv))
        res["vs_codes"] = code_agreement(personas, codes.to_dict())
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="a finished `insight run --out` folder")
    ap.add_argument("--codes", type=Path, default=None, help="coded_segments.csv")
    args = ap.parse_args()
    print(json.dumps(score_study(args.out, args.codes), indent=2, default=str))


if __name__ == "__main__":
    main()
