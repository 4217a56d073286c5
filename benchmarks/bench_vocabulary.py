"""Customer-vocabulary benchmark: do the extracted terms cover the annotated aspects?

On SemEval-2014 Task 4 review sentences (restaurants, laptops) we take the 20
most frequent gold aspect terms and report the share that appear among the
top-50 terms of ``insight.vocabulary.extract_vocabulary`` (case- and
lemma-insensitive; a match on any grouped variant counts). Target >= 0.90.

Both sets are development data: the ranking constants in
``insight/vocabulary/ranking.py`` (``DESCRIBING_BASE``, ``STORY_WEIGHT``,
``NAME_WEIGHT``) were chosen on them, so these numbers are tuned-on, not held-out.

Usage (repo root):  python benchmarks/bench_vocabulary.py
Writes benchmarks/results/vocabulary.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pandas as pd

from insight.nlp import load_spacy, token_key
from insight.vocabulary import extract_vocabulary

DATASETS = {
    "restaurants": "../shared/datasets/absa/Restaurants_Train_v2.xml",
    "laptops": "../shared/datasets/absa/Laptop_Train_v2.xml",
}


def load_semeval(path: str) -> tuple[pd.DataFrame, Counter[str]]:
    """Sentences as units (one respondent per sentence, their gold aspect terms in
    ``aspects``) and the gold aspect-term counts."""
    root = ET.parse(path).getroot()
    rows = []
    for sent in root.iter("sentence"):
        rows.append(
            {
                "unit_id": sent.get("id"),
                "respondent_id": sent.get("id"),
                "text": sent.findtext("text") or "",
                "aspects": [at.get("term", "").strip().lower() for at in sent.iter("aspectTerm")],
            }
        )
    units = pd.DataFrame(rows)
    return units, gold_counts(units)


def gold_counts(units: pd.DataFrame) -> Counter[str]:
    """Gold aspect-term counts over these sentences."""
    return Counter(term for terms in units["aspects"] for term in terms)


def lemma_keys(texts: list[str]) -> list[str]:
    nlp = load_spacy(disable=("ner", "parser"))
    return [" ".join(token_key(t) for t in doc if not t.is_punct) for doc in nlp.pipe(texts)]


def evaluate(
    name: str,
    path: str,
    top_k_gold: int,
    top_n: int,
    embedder: object,
    subset: tuple[int, int] | None = None,
) -> dict:
    """Coverage on one data set; ``subset=(n, seed)`` scores n random sentences
    (gold counted on the same sentences), the size of a held-out test file."""
    units, gold = load_semeval(path)
    if subset is not None:
        n, seed = subset
        units = units.sample(n=min(n, len(units)), random_state=seed).sort_index()
        gold = gold_counts(units)
    t0 = time.time()
    vocab = extract_vocabulary(units, top_n=top_n, embedder=embedder)
    seconds = time.time() - t0
    overall = vocab[vocab["group"] == "all"].head(top_n)
    forms: set[str] = set()
    for _, r in overall.iterrows():
        forms.add(r["term"].lower())
        forms.update(v.lower() for v in r["variants"])
    forms_list = sorted(forms)
    keys = set(lemma_keys(forms_list)) | set(forms_list)
    top_gold = [t for t, _ in gold.most_common(top_k_gold)]
    gold_keys = lemma_keys(top_gold)
    hits = [g for g, k in zip(top_gold, gold_keys, strict=True) if g in keys or k in keys]
    return {
        "dataset": name,
        "path": path,
        "sentences": len(units),
        "gold_top": top_gold,
        "hits": hits,
        "misses": [g for g in top_gold if g not in hits],
        "coverage": len(hits) / len(top_gold),
        "target": 0.90,
        "top_terms": overall["term"].tolist(),
        "seconds": round(seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", default="benchmarks/results/vocabulary.json")
    ap.add_argument("--top-n", type=int, default=50)
    ap.add_argument("--gold-top", type=int, default=20)
    ap.add_argument(
        "--no-embedder", action="store_true", help="group variants by lemma only (no MiniLM)"
    )
    ap.add_argument(
        "--subsets",
        type=int,
        default=5,
        help="also score this many random subsets of --subset-size sentences per data set"
        " (gold counted on the subset): how the rules hold on smaller, unseen-sized files",
    )
    ap.add_argument("--subset-size", type=int, default=800)
    args = ap.parse_args(argv)
    command = "python benchmarks/bench_vocabulary.py" + " ".join([""] + (argv or sys.argv[1:]))
    embedder = False if args.no_embedder else None
    results = {}
    for name, path in DATASETS.items():
        res = evaluate(name, path, args.gold_top, args.top_n, embedder)
        res["command"] = command
        print(
            f"{name}: coverage {res['coverage']:.2f} ({len(res['hits'])}/{len(res['gold_top'])}),"
            f" misses {res['misses']}, {res['seconds']}s"
        )
        subs = []
        for seed in range(args.subsets):
            sub = evaluate(
                name, path, args.gold_top, args.top_n, embedder, (args.subset_size, seed)
            )
            subs.append({k: sub[k] for k in ("coverage", "misses", "sentences")} | {"seed": seed})
            print(f"  subset seed {seed}: coverage {sub['coverage']:.2f}, misses {sub['misses']}")
        if subs:
            covs = [s["coverage"] for s in subs]
            res["subsets"] = {
                "size": args.subset_size,
                "mean_coverage": round(sum(covs) / len(covs), 3),
                "min_coverage": min(covs),
                "runs": subs,
            }
        results[name] = res
    out = {
        "benchmark": "vocabulary: share of the 20 most frequent SemEval-2014 gold aspect terms in the top-50 terms",
        "command": command,
        "tuned_on": "laptops and restaurants (full and subsets) are development data: the"
        " ranking constants were chosen on them; held-out coverage is not measured here",
        "python": platform.python_version(),
        "results": results,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
