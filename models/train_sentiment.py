"""Train the sentiment head shipped in models/sentiment/head.npz.

A multinomial logistic regression over hashed word 1-2 grams plus the rule
features of `insight.extract.sentiment` (VADER + hedge / litotes / excess /
unmet-service / suggestion cues). Training data, both permissively licensed:

* GoEmotions train (Apache-2.0), grouped with ``sentiment_dict.json``:
  positive-only labels -> positive, negative-only -> negative, neutral or
  ambiguous-only (surprise, realization, curiosity, confusion) -> neutral,
  mixed positive+negative comments are dropped;
* NHS Friends-and-Family dev answers (MIT): ``Comment sentiment`` 1-2 positive,
  3 neutral, 4-5 negative (blank = unlabelled, not used).

Because the NHS file is also the evaluation set, the NHS macro-F1 reported in
metrics.json is 5-fold cross-validated: each fold is scored by a head trained on
GoEmotions plus the other four folds. The score of a head trained on GoEmotions
alone is reported too. The shipped head is then trained on everything.

Example (about a minute on 2 cores):

    nice .venv/bin/python models/train_sentiment.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "datasets"
sys.path.insert(0, str(REPO))

from insight.extract.sentiment import (  # noqa: E402
    LABELS,
    N_HASH_FEATURES,
    RULE_FEATURES,
    SentimentModel,
    design_matrix,
    hashed_ngrams,
    label_from_valence,
    rule_feature_matrix,
    rule_valence,
)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def read_goemotions(split: str) -> tuple[list[str], list[int]]:
    """GoEmotions texts with a 3-class sentiment (0 neg, 1 neutral, 2 pos); mixed dropped."""
    go = DATA / "goemotions"
    names = (go / "emotions.txt").read_text().split()
    groups = json.loads((go / "sentiment_dict.json").read_text())
    pos, neg = set(groups["positive"]), set(groups["negative"])
    texts, ys = [], []
    for line in open(go / f"{split}.tsv", encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        labs = {names[int(i)] for i in parts[1].split(",") if i}
        has_p, has_n = bool(labs & pos), bool(labs & neg)
        if has_p and has_n:
            continue
        texts.append(parts[0])
        ys.append(2 if has_p else 0 if has_n else 1)
    return texts, ys


def read_nhs() -> tuple[list[str], np.ndarray]:
    import pandas as pd

    df = pd.read_csv(DATA / "nhs_fft" / "nhs_fft_dev.csv")
    df = df[df["Comment sentiment"].notna() & df["FFT answer"].notna()]
    s = df["Comment sentiment"].astype(int)
    y = np.where(s <= 2, 2, np.where(s == 3, 1, 0))
    return df["FFT answer"].astype(str).tolist(), y


def fit_head(
    texts: list[str], y: np.ndarray, weight: np.ndarray, c: float, seed: int
) -> SentimentModel:
    from sklearn.linear_model import LogisticRegression

    counts = hashed_ngrams(texts)
    df = np.bincount(counts.indices, minlength=N_HASH_FEATURES)
    idf = (np.log((1 + len(texts)) / (1 + df)) + 1.0).astype(np.float32)
    raw = rule_feature_matrix(texts)
    scale = np.maximum(raw.std(axis=0), 1e-3).astype(np.float32)
    x = design_matrix(texts, idf, scale)
    # Balance classes inside the weighted sample.
    w = weight.astype(np.float64).copy()
    for k in range(3):
        m = y == k
        w[m] *= w.sum() / (3 * w[m].sum())
    clf = LogisticRegression(C=c, max_iter=3000, random_state=seed)
    clf.fit(x, y, sample_weight=w)
    return SentimentModel(
        coef=clf.coef_.astype(np.float32),
        intercept=clf.intercept_.astype(np.float32),
        idf=idf,
        scale=scale,
    )


def macro_f1(y: np.ndarray, labels: list) -> float:
    from sklearn.metrics import f1_score

    pred = np.array([LABELS.index(lab) for lab in labels])
    return float(f1_score(y, pred, average="macro"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(REPO / "models" / "sentiment"))
    ap.add_argument("--c", type=float, default=4.0, help="inverse L2 strength")
    ap.add_argument("--nhs-weight", type=float, default=3.0, help="weight of an NHS answer")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    go_t, go_y = read_goemotions("train")
    dev_t, dev_y = read_goemotions("dev")
    nhs_t, nhs_y = read_nhs()
    go_y_arr, dev_y_arr = np.array(go_y), np.array(dev_y)
    log(f"GoEmotions train {len(go_t)}, dev {len(dev_t)}; NHS labelled {len(nhs_t)}")

    metrics: dict = {"command": "nice .venv/bin/python models/train_sentiment.py " + " ".join(argv or sys.argv[1:])}
    rules = [label_from_valence(rule_valence(t)) for t in nhs_t]
    metrics["nhs_macro_f1_rules_only"] = macro_f1(nhs_y, rules)
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    vlabels = [label_from_valence(vader.polarity_scores(t)["compound"]) for t in nhs_t]
    metrics["nhs_macro_f1_vader"] = macro_f1(nhs_y, vlabels)
    log(f"NHS macro-F1: VADER {metrics['nhs_macro_f1_vader']:.3f}, rules {metrics['nhs_macro_f1_rules_only']:.3f}")

    go_only = fit_head(go_t, go_y_arr, np.ones(len(go_t)), args.c, args.seed)
    metrics["nhs_macro_f1_goemotions_only"] = macro_f1(nhs_y, go_only.predict(nhs_t)[1])
    log(f"NHS macro-F1, head trained on GoEmotions only: {metrics['nhs_macro_f1_goemotions_only']:.3f}")

    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    pred: list = [None] * len(nhs_t)
    for k, (tr, te) in enumerate(folds.split(nhs_t, nhs_y)):
        texts = go_t + [nhs_t[i] for i in tr]
        y = np.concatenate([go_y_arr, nhs_y[tr]])
        w = np.concatenate([np.ones(len(go_t)), np.full(len(tr), args.nhs_weight)])
        head = fit_head(texts, y, w, args.c, args.seed)
        for i, lab in zip(te, head.predict([nhs_t[i] for i in te])[1], strict=True):
            pred[i] = lab
        log(f"fold {k + 1}/{args.folds} done")
    metrics["nhs_macro_f1_cv"] = macro_f1(nhs_y, pred)
    log(f"NHS macro-F1, {args.folds}-fold CV (GoEmotions + other folds): {metrics['nhs_macro_f1_cv']:.3f}")

    texts = go_t + nhs_t
    y = np.concatenate([go_y_arr, nhs_y])
    w = np.concatenate([np.ones(len(go_t)), np.full(len(nhs_t), args.nhs_weight)])
    final = fit_head(texts, y, w, args.c, args.seed)
    metrics["goemotions_dev_sentiment_macro_f1"] = macro_f1(dev_y_arr, final.predict(dev_t)[1])
    log(f"GoEmotions dev 3-class sentiment macro-F1 (shipped head): {metrics['goemotions_dev_sentiment_macro_f1']:.3f}")
    metrics.update(
        {
            "train_rows": {"goemotions": len(go_t), "nhs_fft": len(nhs_t)},
            "params": {"c": args.c, "nhs_weight": args.nhs_weight, "seed": args.seed},
            "features": {"hashed_ngrams": N_HASH_FEATURES, "rules": RULE_FEATURES},
            "labels": list(LABELS),
        }
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    assert final.coef is not None and final.intercept is not None
    np.savez_compressed(
        out / "head.npz",
        coef=final.coef.astype(np.float16),
        intercept=final.intercept,
        idf=final.idf.astype(np.float16),
        scale=final.scale,
        neutral_margin=np.float32(0.0),
        info=json.dumps({"labels": list(LABELS), "params": metrics["params"]}),
    )
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    log(f"wrote {out / 'head.npz'} and metrics.json")


if __name__ == "__main__":
    main()
