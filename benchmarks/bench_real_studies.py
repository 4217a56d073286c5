"""Real studies end to end: ``insight run`` on studies written by other people.

For each study this runs the CLI exactly as a researcher would, then reads the
study it wrote and reports:

* rows read / kept / skipped by reason, per file (the row accounting);
* participant and interviewer units per file;
* units that still contain a speaker label, a line number or a timestamp
  (must be 0);
* for studies with researcher codes (``coded_segments.csv``): the share of the
  coded segments found among participant units. A segment is found when every
  one of its sentences (observer notes in brackets removed) is a substring of
  the whitespace-normalised participant text of its document, sentences after
  a ``MODERATOR:`` mark may instead be found in the interviewer text, and
  segments left with no participant sentence (only observer notes) are not
  counted. Sentence-level coverage is reported too. Target: >= 95%.
* pain-theme and goal labels and quotes (word-list labels, quotes that use the label's
  words, say a problem or state a goal) and, with codes, pain themes against the pain
  codes (``benchmarks/real_claims.py``);
* themes against the researchers' codes (NMI/ARI via
  ``benchmarks/real_themes.py``'s ``theme_agreement``) when that module exists;
* wall time of the run.

Nothing was tuned on the numbers here except what ``real_themes.py`` says of its
own theme rule; the transcript reader's think-aloud rules were written while
reading the usability_serdif transcripts, so its coverage is "tuned on" that study.

    python benchmarks/bench_real_studies.py            # writes results/real_studies.json
    python benchmarks/bench_real_studies.py --quick    # --bootstrap 2
    python benchmarks/bench_real_studies.py --rescore  # measures again from the last outputs
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets"
RESULT = ROOT / "benchmarks" / "results" / "real_studies.json"
SCRATCH = Path(os.environ.get("INSIGHT_BENCH_DIR", "/tmp/insight_bench_real"))

SERDIF = DATA / "real_studies" / "usability_serdif"
STUDIES: dict[str, dict[str, Any]] = {
    "usability_serdif": {
        "inputs": [
            SERDIF / "transcripts",
            SERDIF / "pssuq_comments",
            SERDIF / "pssuq_scores_round1.csv",
            SERDIF / "pssuq_scores_round2.csv",
        ],
        "codes": SERDIF / "coded_segments.csv",
    },
    "creatives_interviews": {"inputs": [DATA / "interviews" / "creatives_transcripts.csv"]},
    # the first 400 rows of the NHS FFT dev file (written to SCRATCH: never into the repo);
    # its FFT answers use 6 = don't know and 7, which must be missing, not scale points
    "nhs_fft_sample": {
        "inputs": [SCRATCH / "nhs_fft_400.csv"],
        "head_of": (DATA / "nhs_fft" / "nhs_fft_dev.csv", 400),
    },
}

#: What must never survive into a unit's text.
LEAKS = {
    "speaker_label": re.compile(
        r"^\s*(?:\*\*)?(?:interviewer|interviewee|moderator|participant|respondent|user|ai|"
        r"assistant|speaker ?\d+|[PRQ]\d{0,3}|I|A)\s*\d*\s*(?:\*\*)?\s*:\s",
        re.I,
    ),
    "line_number": re.compile(r"^\s*\d{1,5}(?:\.[a-z])?[ \t]+(?:[A-Z\[(]|\d{1,2}:)"),
    "timestamp": re.compile(
        r"^\s*[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?(?:\s|$)|\s\d{1,2}:\d{2}:\d{2}\b"
    ),
}
_NOTE = re.compile(r"\([^()]*\)")
_SENT = re.compile(r"(?<=[.?!])\s+")


def _norm(text: object) -> str:
    return " ".join(re.sub(r"[’‘]", "'", str(text)).split()).lower()


def leak_counts(units: Any) -> dict[str, int]:
    """Units whose text still starts with a speaker label / line number / has a timestamp."""
    texts = units["text"].astype(str)
    return {name: int(texts.str.contains(rx).sum()) for name, rx in LEAKS.items()}


def coded_coverage(units: Any, segments: Any) -> dict[str, Any]:
    """Share of researcher-coded segments found among participant units (see module doc)."""
    part = units[units["speaker_role"] == "customer"]
    inter = units[units["speaker_role"] != "customer"]
    order = [c for c in ("source", "turn", "char_start") if c in units.columns]
    part = part.sort_values(order)
    inter = inter.sort_values(order)
    # transcriber's brackets ("(Q2)") are removed on both sides, as in the segments
    p_text = {d: _norm(_NOTE.sub(" ", " ".join(g["text"]))) for d, g in part.groupby("source")}
    i_text = {d: _norm(_NOTE.sub(" ", " ".join(g["text"]))) for d, g in inter.groupby("source")}
    counted = found = 0
    sents_total = sents_found = 0
    only_notes = 0
    misses: list[dict[str, str]] = []
    for doc, content, tag in segments[["document", "content", "tag"]].itertuples(index=False):
        doc = Path(str(doc)).name
        pieces = re.split(r"MODERATOR:", _NOTE.sub(" ", str(content)))
        sents = [
            (k > 0, s)
            for k, piece in enumerate(pieces)
            for s in (_norm(x).strip(" .") for x in _SENT.split(piece))
            if len(s) > 3
        ]
        participant = [s for after_mod, s in sents if not (after_mod and s in i_text.get(doc, ""))]
        if not participant:
            only_notes += 1
            continue
        ok = [s in p_text.get(doc, "") for s in participant]
        counted += 1
        found += all(ok)
        sents_total += len(ok)
        sents_found += sum(ok)
        if not all(ok) and len(misses) < 10:
            miss = next(s for s, good in zip(participant, ok, strict=True) if not good)
            misses.append({"document": doc, "tag": str(tag), "sentence": miss[:160]})
    return {
        "segments": len(segments),
        "segments_with_participant_speech": counted,
        "segments_only_notes_or_moderator": only_notes,
        "found_share": round(found / max(1, counted), 4),
        "sentence_found_share": round(sents_found / max(1, sents_total), 4),
        "target": 0.95,
        "examples_missed": misses,
    }


def theme_scores(store_path: Path, units: Any, segments: Any) -> dict[str, Any] | None:
    """NMI/ARI of the run's themes against the researchers' codes (H2's real_themes)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from real_themes import align_codes, theme_agreement
    except ImportError:
        return None
    from insight.store import Store

    with Store(store_path, read_only=True) as store:
        assign = store.read_or_empty("topic_assignments")
    if assign is None or not len(assign):
        return {"note": "the run wrote no topic assignments"}
    part = units[units["speaker_role"] == "customer"]
    codes = align_codes(part, segments)
    assign = assign[assign["unit_id"].isin(set(part["unit_id"]))]
    out: dict[str, Any] = theme_agreement(
        assign["unit_id"].tolist(), assign["topic"].tolist(), codes
    )
    bertopic = ROOT / "benchmarks" / "results" / "real_themes.json"
    if bertopic.exists():
        ref = json.loads(bertopic.read_text()).get("serdif", {}).get("bertopic_default")
        if ref:
            out["bertopic_default_from_real_themes_json"] = {
                k: ref[k] for k in ("nmi", "ari", "n_themes") if k in ref
            }
    return out


def run_study(name: str, spec: dict[str, Any], bootstrap: int, themes: bool) -> dict[str, Any]:
    import pandas as pd

    from insight.store import Store

    out = SCRATCH / name
    cmd = [
        str(Path(sys.executable).with_name("insight")),
        "run",
        *map(str, spec["inputs"]),
        "--out",
        str(out),
        "--bootstrap",
        str(bootstrap),
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    result: dict[str, Any] = {
        "command": "insight run "
        + " ".join(str(p).replace(str(DATA), "../shared/datasets") for p in spec["inputs"])
        + f" --out OUT --bootstrap {bootstrap}",
        "exit_code": proc.returncode,
        "wall_seconds": round(wall, 1),
    }
    if proc.returncode != 0:
        result["error_tail"] = (proc.stdout + proc.stderr)[-2000:]
        return result
    with Store(out / "study.duckdb", read_only=True) as store:
        files = store.read_table("files")
        units = store.read_table("units")
    skip_cols = [c for c in files.columns if c.startswith("skipped_")]
    per_file = []
    for f in files.to_dict(orient="records"):
        per_file.append(
            {
                "file": f["source"],
                "counted": f.get("counted"),
                "read": int(f["rows_read"]),
                "kept": int(f["rows_with_units"]),
                "skipped": {c.removeprefix("skipped_"): int(f[c]) for c in skip_cols if f[c]},
                "participant_units": int(f.get("participant_units", 0)),
                "interviewer_units": int(f.get("interviewer_units", 0)),
                "language": f.get("language"),
            }
        )
    result.update(
        {
            "files": len(files),
            "rows_read": int(files["rows_read"].sum()),
            "rows_kept": int(files["rows_with_units"].sum()),
            "skipped_by_reason": {
                c.removeprefix("skipped_"): int(files[c].sum()) for c in skip_cols
            },
            "participant_units": int((units["speaker_role"] == "customer").sum()),
            "interviewer_units": int((units["speaker_role"] != "customer").sum()),
            "files_without_participant_units": [
                p["file"] for p in per_file if p["participant_units"] == 0
            ],
            "leaks_in_unit_text": leak_counts(units),
            "per_file": per_file,
        }
    )
    result["outcome"] = study_outcome(out)
    result["pain_and_goal_claims"] = claim_scores(out, spec.get("codes"))
    if spec.get("codes"):
        segments = pd.read_csv(spec["codes"])
        result["coded_segments"] = coded_coverage(units, segments)
        if themes:
            result["themes_vs_codes"] = theme_scores(out / "study.duckdb", units, segments)
    return result


def claim_scores(out: Path, codes: Path | None) -> dict[str, Any]:
    """Pain-theme and goal labels and quotes as the researcher reads them, and against the
    researchers' codes where the study has them (``benchmarks/real_claims.py``)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from real_claims import score_study

    return score_study(out, codes)


def study_outcome(out: Path) -> dict[str, Any]:
    """What the researcher reads: themes (count, labels with filler), personas (names,
    sizes, confidence) and segmentation coverage, from a finished study folder."""
    from insight.nlp import is_filler
    from insight.store import Store

    run = json.loads((out / "run.json").read_text())
    personas = json.loads((out / "personas.json").read_text()).get("personas", [])
    with Store(out / "study.duckdb", read_only=True) as st:
        hier = st.read_table("topic_hierarchy") if st.has_table("topic_hierarchy") else None
    themes: dict[str, Any] = {"n_themes": 0, "n_subthemes": 0}
    if hier is not None and len(hier):
        top = hier[hier["level"] == 1]
        labels = [str(x) for x in top["label"]]
        filler = [lab for lab in labels if any(is_filler(w.strip()) for w in lab.split(","))]
        themes = {
            "n_themes": len(top),
            "n_subthemes": int((hier["level"] == 2).sum()),
            "labels_with_filler": filler,
            "largest": [
                {
                    "label": r["label"],
                    "units": int(r["n_units"]),
                    "participants": int(r["n_participants"]),
                }
                for _, r in top.sort_values("n_units", ascending=False).head(8).iterrows()
            ],
        }
    seg = run.get("segmentation", {})
    return {
        "rating_items": _outside_scale(out),
        "themes": themes,
        "segmentation": {
            "mode": seg.get("mode"),
            "chosen": seg.get("chosen"),
            "coverage": seg.get("coverage"),
            "items": len(seg.get("items") or []),
            "left_out_items": len(seg.get("left_out_items") or []),
        },
        "personas": [
            {
                "id": p.get("id"),
                "name": p.get("name"),
                "size": p.get("size"),
                "confidence": (p.get("confidence") or {}).get("level"),
                "vocabulary": [c.get("label") for c in (p.get("vocabulary") or [])[:8]],
                "pain_themes": [c.get("label") for c in (p.get("pain_points") or [])[:5]],
            }
            for p in personas
        ],
        "persona_quality": persona_quality(personas),
    }


def _outside_scale(out: Path) -> dict[str, Any]:
    """Each rating item's scale and observed answers (NHS FFT: 1-5, its 6 = don't know and
    7 missing, not points) and the answers outside their column's scale."""
    import pandas as pd

    from insight.store import Store

    with Store(out / "study.duckdb", read_only=True) as st:
        cols = st.read_or_empty("columns")
        resp = st.read_or_empty("respondents")
    if cols.empty or "scale_max" not in cols:
        return {}
    found: dict[str, int] = {}
    scales: dict[str, str] = {}
    for _, c in cols[cols["role"] == "likert"].head(20).iterrows():
        if c["column"] in resp and pd.notna(c["scale_max"]):
            v = pd.to_numeric(resp[c["column"]], errors="coerce")
            scales[str(c["column"])] = (
                f"scale {c['scale_min']:g}-{c['scale_max']:g}, answers "
                f"{v.min():g}-{v.max():g}, {int(v.isna().sum())} missing"
            )
            n = int(((v > c["scale_max"]) | (v < c["scale_min"])).sum())
            if n:
                found[str(c["column"])] = n
    return {"scales": scales, "outside": found}


def persona_quality(personas: list[dict[str, Any]]) -> dict[str, Any]:
    """What read wrongly on real studies before: vocabulary led by discourse words or bare
    verbs ("look", "got", "go"), Champion/Sceptic from a scale whose direction is unknown
    (PSSUQ: 1 = agree), pain-theme labels without a problem word."""
    from insight.personas.words import TIER_COMMON, term_tier

    generic_leads = []
    for p in personas:
        for c in (p.get("vocabulary") or [])[:3]:
            st = c.get("stats") or {}
            quotes = tuple(str(q.get("text", "")) for q in (c.get("quotes") or []))
            tier = term_tier(str(c.get("label")), str(st.get("kind") or "word"), None, quotes)
            if tier is None or tier >= TIER_COMMON:
                generic_leads.append(f"{p.get('id')}: {c.get('label')}")
    stance_unknown = []
    for p in personas:
        atts = p.get("attitudes") or []
        name = str(p.get("name") or "")
        named = "Champion" in name or "Sceptic" in name
        if atts and named and (atts[0].get("stats") or {}).get("agreement") is None:
            stance_unknown.append(name)
    return {
        "generic_terms_in_top3_vocabulary": generic_leads,
        "champion_or_sceptic_from_unknown_direction": stance_unknown,
    }


def rescore(name: str, spec: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Recompute the measures from the outputs of an earlier run (no new run)."""
    import pandas as pd

    from insight.store import Store

    store = SCRATCH / name / "study.duckdb"
    if not store.exists():
        return previous
    with Store(store, read_only=True) as st:
        units = st.read_table("units")
    out = dict(previous)
    out["leaks_in_unit_text"] = leak_counts(units)
    out["outcome"] = study_outcome(SCRATCH / name)
    if spec.get("codes"):
        segments = pd.read_csv(spec["codes"])
        out["coded_segments"] = coded_coverage(units, segments)
        out["themes_vs_codes"] = theme_scores(store, units, segments)
    out["pain_and_goal_claims"] = claim_scores(SCRATCH / name, spec.get("codes"))
    out["rescored_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="--bootstrap 2 (faster segmentation)")
    ap.add_argument(
        "--rescore",
        action="store_true",
        help="recompute the measures from the last run's outputs (wall times kept)",
    )
    ap.add_argument("studies", nargs="*", help=f"subset of {', '.join(STUDIES)}")
    args = ap.parse_args()
    if args.rescore:
        payload = json.loads(RESULT.read_text(encoding="utf-8"))
        for name, prev in payload["studies"].items():
            if name in STUDIES and (not args.studies or name in args.studies):
                payload["studies"][name] = rescore(name, STUDIES[name], prev)
        RESULT.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"rescored {RESULT}")
        return
    chosen = {k: v for k, v in STUDIES.items() if not args.studies or k in args.studies}
    results: dict[str, Any] = {}
    for name, spec in chosen.items():
        if spec.get("head_of") and Path(spec["head_of"][0]).exists():
            src, n = spec["head_of"]
            SCRATCH.mkdir(parents=True, exist_ok=True)
            with open(src, encoding="utf-8", newline="") as f:
                head = [line for _, line in zip(range(n + 1), f, strict=False)]
            Path(spec["inputs"][0]).write_text("".join(head), encoding="utf-8")
        missing = [str(p) for p in spec["inputs"] if not Path(p).exists()]
        if missing:
            results[name] = {"skipped": "inputs not found: " + ", ".join(missing)}
            continue
        print(f"== {name}", flush=True)
        results[name] = run_study(name, spec, 2 if args.quick else 10, True)
        r = results[name]
        print(
            f"   exit {r['exit_code']} in {r['wall_seconds']}s; participant units "
            f"{r.get('participant_units')}, leaks {r.get('leaks_in_unit_text')}, coded found "
            f"{(r.get('coded_segments') or {}).get('found_share')}",
            flush=True,
        )
    # studies not run this time keep their last results (with their own measured_at)
    earlier = json.loads(RESULT.read_text(encoding="utf-8")) if RESULT.exists() else {}
    for name, prev in (earlier.get("studies") or {}).items():
        if name in STUDIES and name not in results:
            results[name] = {"measured_at": earlier.get("measured_at"), **prev}
    for name in chosen:
        results[name]["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    payload = {
        "benchmark": "real_studies",
        "command": "python benchmarks/bench_real_studies.py" + (" --quick" if args.quick else ""),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "tuned_on": "the think-aloud rules (numbered prompts, bracketed notes) were written while "
        "reading usability_serdif: its coverage is measured on the data the reader was built on",
        "studies": results,
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()
