"""Accuracy and speed of `insight.extract` on labelled data written by others.

Writes benchmarks/results/accuracy.json with, for each number, the command that
produced it:

* NHS FFT 3-class sentiment macro-F1 (``Comment sentiment`` 1-2 positive, 3
  neutral, 4-5 negative): VADER alone, the rule layer, and the shipped head. The
  shipped head was trained on this file, so its score here is in-sample; the
  honest figure is the 5-fold cross-validated one copied from
  models/sentiment/metrics.json (and re-measured by models/train_sentiment.py).
* GoEmotions dev macro-F1 of the shipped emotion model, 28 labels and Ekman
  (its thresholds were tuned on dev, so this is optimistic; see
  models/emotions/metrics.json for the split-half figure).
* Complaints dev macro-F1 of the pain-point flag, overall and per domain
  (evaluation only: nothing is trained or tuned on it). Anchor: VADER-negative
  alone, measured here too.
* Pain flag and pain type against the serdif usability study's researcher codes
  (``real_studies/usability_serdif/coded_segments.csv``, GPL-3.0, read by path;
  evaluation only, not tuned on): segments with a pain code vs segments with only
  codes of things that worked (`SERDIF_PAIN_CODES`, `SERDIF_OK_CODES`).
* Throughput of `annotate_texts` in units/s after model load.

Example:

    nice .venv/bin/python benchmarks/bench_accuracy.py
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "datasets"
sys.path.insert(0, str(REPO))


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def macro_f1(y, p) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, p, average="macro"))


def nhs_sentiment(annotate, cmd: str) -> dict:
    import pandas as pd
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from insight.extract.sentiment import label_from_valence, rule_valence

    df = pd.read_csv(DATA / "nhs_fft" / "nhs_fft_dev.csv")
    df = df[df["Comment sentiment"].notna() & df["FFT answer"].notna()]
    s = df["Comment sentiment"].astype(int)
    y = np.where(s <= 2, "positive", np.where(s == 3, "neutral", "negative"))
    texts = df["FFT answer"].astype(str).tolist()
    vader = SentimentIntensityAnalyzer()
    res = {
        "n": len(texts),
        "command": cmd,
        "vader_macro_f1": macro_f1(
            y, [label_from_valence(vader.polarity_scores(t)["compound"]) for t in texts]
        ),
        "rules_macro_f1": macro_f1(y, [label_from_valence(rule_valence(t)) for t in texts]),
    }
    ann = annotate(texts)
    res["shipped_macro_f1_in_sample"] = macro_f1(y, ann["sentiment_label"])
    m = REPO / "models" / "sentiment" / "metrics.json"
    if m.exists():
        met = json.loads(m.read_text())
        res["shipped_macro_f1_5fold_cv"] = met.get("nhs_macro_f1_cv")
        if met.get("nhs_macro_f1_goemotions_only") is not None:
            res["goemotions_only_head_macro_f1"] = met["nhs_macro_f1_goemotions_only"]
        res["cv_command"] = met.get("command")
    res["note"] = (
        "the shipped head was trained on this file: "
        "shipped_macro_f1_in_sample is optimistic; shipped_macro_f1_5fold_cv is the honest figure"
    )
    return res


def goemotions_dev(cmd: str) -> dict:
    from insight.extract.emotions import EmotionModel

    go = DATA / "goemotions"
    labels = (go / "emotions.txt").read_text().split()
    mapping = json.loads((go / "ekman_mapping.json").read_text())
    texts, gold = [], []
    for line in (go / "dev.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        texts.append(parts[0])
        gold.append([int(i) for i in parts[1].split(",") if i])
    y = np.zeros((len(texts), len(labels)), dtype=int)
    for i, ids in enumerate(gold):
        y[i, ids] = 1
    model = EmotionModel.load()
    assert list(model.labels) == labels, "emotion model labels differ from emotions.txt"
    p = model.predict_proba(texts)
    pred = np.asarray(model.predict_multi_hot(p), dtype=int)
    groups = [*mapping.keys(), "neutral"]

    def ekman(m: np.ndarray) -> np.ndarray:
        out = np.zeros((m.shape[0], len(groups)), dtype=int)
        for g, name in enumerate(groups):
            members = mapping.get(name, ["neutral"])
            cols = [labels.index(x) for x in members]
            out[:, g] = m[:, cols].max(axis=1)
        return out

    from sklearn.metrics import f1_score

    return {
        "n": len(texts),
        "command": cmd,
        "macro_f1_28": float(f1_score(y, pred, average="macro", zero_division=0)),
        "macro_f1_ekman": float(f1_score(ekman(y), ekman(pred), average="macro", zero_division=0)),
        "note": "per-label thresholds were tuned on this dev set (optimistic)",
    }


def complaints(annotate, cmd: str) -> dict:
    import pandas as pd
    from sklearn.metrics import f1_score
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    df = pd.read_csv(DATA / "complaints" / "complaints_dev.csv")
    texts = df["text"].astype(str).tolist()
    y = df["label"].to_numpy()
    vader = SentimentIntensityAnalyzer()
    vneg = np.array([int(vader.polarity_scores(t)["compound"] <= -0.05) for t in texts])
    ann = annotate(texts)
    pred = ann["pain_point"].astype(int).to_numpy()
    res: dict = {
        "n": len(df),
        "command": cmd,
        "macro_f1": macro_f1(y, pred),
        "vader_negative_macro_f1": macro_f1(y, vneg),
        "per_domain": {},
        "note": "evaluation only; pain-point head trained on GoEmotions + NHS FFT + own seed examples",
    }
    for dom, idx in df.groupby("domain").groups.items():
        ii = np.asarray(list(idx))
        res["per_domain"][str(dom)] = {
            "n": len(ii),
            "positives": int(y[ii].sum()),
            "macro_f1": float(
                f1_score(y[ii], pred[ii], average="macro", labels=[0, 1], zero_division=0)
            ),
            "accuracy": float((y[ii] == pred[ii]).mean()),
        }
    return res


def pain_types_on_samples(cmd: str) -> dict:
    """Pain type (cue rules) of the sample study's reviews vs their planted category.

    The truth file gives each review with a planted pain point its category; the
    whole review is typed as if flagged. Also the agreement on the project's typed
    seed examples: the first 114 flagged rows were written alongside the cue rules,
    the later 302 without looking at them.
    """
    import pandas as pd

    from insight.extract.pain_points import pain_type

    reviews = pd.read_csv(REPO / "samples" / "reviews" / "brewline_reviews.csv")
    truth = pd.read_csv(REPO / "samples" / "truth" / "reviews.csv")
    df = reviews.merge(truth[["review_id", "pain_point_category"]], on="review_id")
    df = df[df["pain_point_category"].notna()]
    rules = df["text"].astype(str).map(pain_type)
    seeds = pd.read_csv(
        REPO / "models" / "pain_points" / "seed_examples.csv", keep_default_na=False
    )
    seeds = seeds.assign(rules=seeds["text"].map(pain_type), row=range(len(seeds)))
    typed = seeds[seeds["pain_point"] == 1]
    early, late = typed[typed["row"] < 214], typed[typed["row"] >= 214]
    return {
        "command": cmd,
        "sample_reviews_n": len(df),
        "sample_reviews_rules_accuracy": float((rules == df["pain_point_category"]).mean()),
        "seeds_written_with_rules_n": len(early),
        "seeds_written_with_rules_accuracy": float((early["rules"] == early["type"]).mean()),
        "seeds_written_later_n": len(late),
        "seeds_written_later_accuracy": float((late["rules"] == late["type"]).mean()),
        "note": "8 types; whole reviews of samples/reviews typed, scored against "
        "samples/truth/reviews.csv pain_point_category (the planted main pain)",
    }


#: serdif codebook codes that describe a problem the participant met (from the codebook's
#: descriptions, fixed before measuring), with the taxonomy type(s) that fit each one.
SERDIF_PAIN_CODES = {
    "System issue": ("reliability/quality", "time/effort"),  # slow to load, crash
    "Navigation complex": ("usability",),
    "Task sequence complex": ("usability",),
    "Wording not clear": ("usability",),
    "Query process complex": ("usability",),
    "Plot design complex": ("usability",),
    "Search information process complex": ("usability",),
    "Metadata content not useful or confusing": ("usability",),
    "Event concept and approach not clear": ("usability",),
}
#: codes that describe something that worked (a segment with only these is "no pain").
#: Moderator assist, Additional feature suggestion and Additional explanation are
#: neither: segments with only those are left out.
SERDIF_OK_CODES = {
    "Home tab elements useful",
    "Simple export",
    "Search feature simple",
    "Data table features useful",
    "Export (meta)data useful",
    "Visualization useful",
    "Overall positive experience",
    "Query inputs and elements useful",
    "Query process clear",
    "Metadata content clear and useful",
}


def serdif_pain(annotate, cmd: str) -> dict:
    """Pain flag and type against the serdif researchers' codes (not tuned on).

    ``coded_segments.csv`` of the usability study (GPL-3.0, read by path, never
    copied): a distinct segment text with any pain code (`SERDIF_PAIN_CODES`) is a
    pain point, one with only codes of things that worked (`SERDIF_OK_CODES`) is
    not. Observer notes in brackets are removed and moderator lines dropped, as
    ingest does; a segment left empty is skipped. Nothing in the project was
    written or tuned with this file.
    """
    import re

    import pandas as pd
    from sklearn.metrics import f1_score, precision_score, recall_score

    path = DATA / "real_studies" / "usability_serdif" / "coded_segments.csv"
    seg = pd.read_csv(path)
    seg["text"] = seg["content"].astype(str).map(lambda t: re.sub(r"\([^)]*\)", " ", t)).str.strip()
    seg = seg[(seg["text"] != "") & ~seg["text"].str.startswith("MODERATOR")]
    tags = seg.groupby("text")["tag"].agg(set)
    is_pain = tags.map(lambda t: bool(t & SERDIF_PAIN_CODES.keys()))
    is_ok = tags.map(lambda t: bool(t & SERDIF_OK_CODES))
    keep = is_pain | is_ok
    texts = tags.index[keep].tolist()
    y = is_pain[keep].astype(int).to_numpy()
    ann = annotate(texts)
    pred = ann["pain_point"].astype(int).to_numpy()
    types = ann["pain_point_type"].astype(str).to_numpy()
    res: dict = {
        "n": len(texts),
        "pain_coded": int(y.sum()),
        "command": cmd,
        "tuned_on": "not tuned on (no rule, seed or threshold was written or chosen with it)",
        "pain_recall": float(recall_score(y, pred)),
        "pain_precision": float(precision_score(y, pred, zero_division=0)),
        "pain_f1": float(f1_score(y, pred)),
        "macro_f1": macro_f1(y, pred),
        "per_code": {},
    }
    # Type agreement: flagged pain-coded segments whose every pain code maps to the
    # type the rules gave (a segment with several pain codes agrees if any fits).
    fits: list[bool] = []
    per_code: dict[str, dict[str, int]] = {}
    for i, text in enumerate(texts):
        codes = tags[text] & SERDIF_PAIN_CODES.keys()
        ok = {t for c in codes for t in SERDIF_PAIN_CODES[c]}
        if codes and pred[i]:
            fits.append(types[i] in ok)
        for c in codes | (tags[text] & SERDIF_OK_CODES):
            d = per_code.setdefault(c, {"n": 0, "flagged": 0, "type_fits": 0})
            d["n"] += 1
            d["flagged"] += int(pred[i])
            d["type_fits"] += int(bool(pred[i]) and c in SERDIF_PAIN_CODES and types[i] in ok)
    res["type_agreement_of_flagged_pains"] = float(np.mean(fits)) if fits else None
    res["type_agreement_n"] = len(fits)
    flagged_types = pd.Series(types[(y == 1) & (pred == 1)]).value_counts()
    res["types_given_to_flagged_pains"] = {str(k): int(v) for k, v in flagged_types.items()}
    res["per_code"] = dict(sorted(per_code.items()))
    res["note"] = (
        "think-aloud segments coded by the study's researchers; pain = any of "
        + ", ".join(SERDIF_PAIN_CODES)
        + "; no pain = only codes of things that worked. Type agreement: the cue-rule "
        "type is the one the code describes (System issue: reliability/quality or "
        "time/effort; the others: usability). Most pain codes map to usability, so "
        "type agreement mostly says how often the rules see usability."
    )
    return res


def throughput(annotator, cmd: str, n: int) -> dict:
    import pandas as pd

    from insight.extract import annotate_texts

    df = pd.read_csv(DATA / "nhs_fft" / "nhs_fft_dev.csv")
    nhs = [t for t in df["FFT answer"].dropna().astype(str) if t != "Did not answer"]
    go = [
        line.split("\t")[0]
        for line in (DATA / "goemotions" / "dev.tsv").read_text(encoding="utf-8").splitlines()
    ]
    texts = (nhs[: n // 2] + go)[:n]
    annotate_texts(texts[:64], progress=False, annotator=annotator)  # warm-up
    t0 = time.perf_counter()
    annotate_texts(texts, batch_size=64, progress=False, annotator=annotator)
    secs = time.perf_counter() - t0
    return {
        "n_units": len(texts),
        "seconds": round(secs, 2),
        "units_per_second": round(len(texts) / secs, 1),
        "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        "command": cmd,
        "note": "after model load; half NHS FFT answers, half GoEmotions dev comments",
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "accuracy.json"))
    ap.add_argument("--speed-n", type=int, default=2000, help="units in the throughput run")
    args = ap.parse_args(argv)
    cmd = "nice .venv/bin/python benchmarks/bench_accuracy.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    cmd = cmd.strip()

    from insight.extract import Annotator, annotate_texts

    t0 = time.perf_counter()
    annotator = Annotator()
    load_s = time.perf_counter() - t0

    def annotate(texts):
        return annotate_texts(texts, progress=False, annotator=annotator)

    import os

    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg()[0],
        },
        "model_load_seconds": round(load_s, 2),
    }
    log("NHS sentiment")
    results["nhs_fft_sentiment"] = nhs_sentiment(annotate, cmd)
    log(json.dumps(results["nhs_fft_sentiment"]))
    log("GoEmotions dev")
    results["goemotions_dev"] = goemotions_dev(cmd)
    log(json.dumps(results["goemotions_dev"]))
    log("complaints dev")
    results["complaints_dev"] = complaints(annotate, cmd)
    log(f"complaints macro-F1 {results['complaints_dev']['macro_f1']:.3f}")
    results["pain_type"] = pain_types_on_samples(cmd)
    log(json.dumps(results["pain_type"]))
    log("serdif pain codes")
    results["serdif_pain_codes"] = serdif_pain(annotate, cmd)
    log(json.dumps({k: v for k, v in results["serdif_pain_codes"].items() if k != "per_code"}))
    log("throughput")

    results["annotate_throughput"] = throughput(annotator, cmd, args.speed_n)
    log(json.dumps(results["annotate_throughput"]))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    log(f"wrote {out}")


if __name__ == "__main__":
    main()
