"""Segmentation benchmark: recovery of known latent classes, and of the Big Five factors.

1. Simulated Likert surveys (insight.segment.simulate) with known classes under varying
   separation, class sizes, missingness, reverse-keyed items and scale length; the ARI vs
   truth of `segment_respondents` (method and k chosen automatically), of each model at the
   true k, of plain k-means (scikit-learn, mean-filled answers, true k) and of StepMix with
   its defaults (categorical_nan measurement, true k).
2. ../shared/datasets/bfi (2,800 x 25 real items): parallel analysis, and Tucker congruence
   of the rotated 5-factor loadings with the scoring keys (bfi.keys.csv).

Writes benchmarks/results/segmentation.json.

Run:  python benchmarks/bench_segmentation.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from insight.segment import (  # noqa: E402
    Segmenter,
    factor_analysis,
    match_factors,
    segment_respondents,
)
from insight.segment.simulate import simulate_likert  # noqa: E402

BFI = ROOT.parent / "shared" / "datasets" / "bfi"
OUT = ROOT / "benchmarks" / "results" / "segmentation.json"

CONDITIONS = [
    # name, simulate kwargs, well separated?
    ("well_separated", dict(n=800, n_items=20, k=4, separation=1.5), True),
    ("well_separated_missing20_reverse", dict(n=800, n_items=20, k=4, separation=1.5, missing=0.2, reverse_share=0.3), True),
    ("well_separated_unequal", dict(n=800, n_items=20, k=4, separation=1.5, weights=[0.55, 0.25, 0.13, 0.07]), True),
    ("well_separated_categorical", dict(n=800, n_items=20, k=4, separation=1.5, kind="categorical"), True),
    ("moderate", dict(n=800, n_items=20, k=4, separation=0.8, missing=0.05, reverse_share=0.25), False),
    ("moderate_unequal_missing", dict(n=800, n_items=20, k=3, separation=0.8, weights=[0.6, 0.3, 0.1], missing=0.1), False),
    ("moderate_7point", dict(n=600, n_items=15, k=3, n_levels=7, separation=0.8), False),
    ("moderate_categorical", dict(n=800, n_items=20, k=4, separation=0.8, kind="categorical", missing=0.05), False),
    ("weak", dict(n=800, n_items=20, k=4, separation=0.5), False),
    ("acquiescence", dict(n=800, n_items=20, k=3, separation=1.0, acquiescence=0.7), False),
]  # fmt: skip


def ari(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    return round(float(adjusted_rand_score(a, b)), 4)


def plain_kmeans(x: pd.DataFrame, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    filled = x.fillna(x.mean()).to_numpy()
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(filled)


def stepmix_defaults(x: pd.DataFrame, k: int, seed: int) -> np.ndarray:
    from stepmix.stepmix import StepMix

    codes = x - np.nanmin(x.to_numpy())  # categories 0..C-1, NaN kept
    model = StepMix(
        n_components=k, measurement="categorical_nan", random_state=seed, verbose=0, progress_bar=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(codes.to_numpy())
        return model.predict(codes.to_numpy())


def run_simulations(seeds: list[int]) -> list[dict]:
    rows = []
    for name, kwargs, separated in CONDITIONS:
        for seed in seeds:
            df, truth, rev = simulate_likert(**kwargs, random_state=seed)
            items = [c for c in df.columns if c.startswith("Q")]
            x = df[items]
            k = int(kwargs["k"])
            row: dict = {"condition": name, "seed": seed, "well_separated": separated, **{
                key: val for key, val in kwargs.items() if key != "weights"}}  # fmt: skip
            row["weights"] = kwargs.get("weights")
            t0 = time.perf_counter()
            res = segment_respondents(df, items, reverse=rev, n_bootstrap=0, random_state=seed)
            row["auto_seconds"] = round(time.perf_counter() - t0, 2)
            got = res.assignments.set_index("respondent_id")["segment"]
            kept = df["respondent_id"].isin(got.index).to_numpy()
            row["auto_method"] = res.chosen["method"]
            row["auto_k"] = res.chosen["k"]
            row["auto_excluded"] = int((~kept).sum())
            row["ari_auto"] = ari(truth[kept], got.loc[df["respondent_id"][kept]].to_numpy())
            for method in ("lca-categorical", "lca-ordinal", "gmm", "kmeans"):
                m = Segmenter(method=method, k=k, random_state=seed).fit(x)
                row[f"ari_{method}_true_k"] = ari(truth, m.labels_)
            row["ari_plain_kmeans_true_k"] = ari(truth, plain_kmeans(x, k, seed))
            t0 = time.perf_counter()
            row["ari_stepmix_defaults_true_k"] = ari(truth, stepmix_defaults(x, k, seed))
            row["stepmix_seconds"] = round(time.perf_counter() - t0, 2)
            print(
                f"{name:36s} seed {seed}: auto {row['auto_method']} k={row['auto_k']} "
                f"ARI {row['ari_auto']:.3f} | plain k-means {row['ari_plain_kmeans_true_k']:.3f} "
                f"| StepMix {row['ari_stepmix_defaults_true_k']:.3f}",
                flush=True,
            )
            rows.append(row)
    return rows


def run_determinism() -> dict:
    df, _, rev = simulate_likert(400, 12, 3, separation=1.0, missing=0.05, random_state=11)
    items = [c for c in df.columns if c.startswith("Q")]
    a = segment_respondents(df, items, reverse=rev, n_bootstrap=5, random_state=3)
    b = segment_respondents(df, items, reverse=rev, n_bootstrap=5, random_state=3)
    return {
        "same_seed_same_segments": bool(a.assignments.equals(b.assignments)),
        "same_seed_same_stability": bool(np.array_equal(a.stability.ari, b.stability.ari)),
    }


def bfi_keys() -> tuple[pd.DataFrame, list[str]]:
    keys = pd.read_csv(BFI / "bfi.keys.csv").drop(columns=["rownames"])
    items = [f"{t}{i}" for t in "ACENO" for i in range(1, 6)]
    target = pd.DataFrame(0.0, index=items, columns=list(keys.columns))
    reverse = []
    for trait in keys.columns:
        for entry in keys[trait].dropna():
            item = entry.lstrip("-")
            sign = -1.0 if entry.startswith("-") else 1.0
            target.loc[item, trait] = sign
            if sign < 0:
                reverse.append(item)
    return target, reverse


def run_bfi(n_bootstrap: int) -> dict:
    if not (BFI / "bfi.csv").exists():
        return {"skipped": f"{BFI} not found"}
    df = pd.read_csv(BFI / "bfi.csv")
    target, reverse = bfi_keys()
    items = list(target.index)
    out: dict = {
        "n_respondents": len(df),
        "n_items": len(items),
        "missing_share": round(float(df[items].isna().mean().mean()), 4),
    }
    fa_auto = factor_analysis(df[items], n_factors="auto", rotation="oblimin", random_state=0)
    out["parallel_analysis_n_factors"] = fa_auto.n_factors
    out["eigenvalues"] = [round(float(v), 3) for v in fa_auto.eigenvalues[:8]]
    out["random_eigenvalues_q95"] = [round(float(v), 3) for v in fa_auto.random_eigenvalues[:8]]
    for rotation in ("oblimin", "varimax"):
        fa = factor_analysis(df[items], n_factors=5, rotation=rotation, random_state=0)
        m = match_factors(fa.loadings, target)
        out[f"tucker_{rotation}"] = {r.target: round(r.congruence, 3) for r in m.itertuples()}
        out[f"tucker_{rotation}_mean"] = round(float(m["congruence"].mean()), 3)
        # keyed-reverse items should be flagged by their negative loadings
        out[f"flagged_reverse_{rotation}"] = fa.flagged_reverse
    out["keyed_reverse"] = sorted(reverse)
    t0 = time.perf_counter()
    seg = segment_respondents(
        df.rename(columns={"rownames": "respondent_id"}),
        items,
        reverse=reverse,
        scale={c: (1, 6) for c in items},
        n_bootstrap=n_bootstrap,
        random_state=0,
    )
    out["segmentation"] = {
        "seconds_with_bootstrap": round(time.perf_counter() - t0, 1),
        "n_bootstrap": seg.stability.n_bootstrap,
        "chosen": seg.chosen,
        "counts": seg.counts,
        "ari_mean": round(seg.stability.ari_mean, 3),
        "ari_sd": round(seg.stability.ari_sd, 3),
        "jaccard": [round(float(v), 3) for v in seg.stability.jaccard["jaccard"]],
        "shares": [round(float(v), 3) for v in seg.stability.jaccard["share"]],
        "warnings": seg.warnings,
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, fewer resamples")
    args = parser.parse_args()
    seeds = [0] if args.quick else [0, 1]
    command = "python benchmarks/bench_segmentation.py" + (" --quick" if args.quick else "")
    t0 = time.perf_counter()
    sims = run_simulations(seeds)
    table = pd.DataFrame(sims)
    ari_cols = [c for c in table.columns if c.startswith("ari_")]
    summary = table.groupby("condition", sort=False)[[*ari_cols, "auto_k"]].mean().round(3)
    well = table[table["well_separated"]]
    checks = {
        "min_ari_auto_well_separated": round(float(well["ari_auto"].min()), 4),
        "auto_minus_plain_kmeans_min": round(float((table["ari_auto"] - table["ari_plain_kmeans_true_k"]).min()), 4),
        "auto_minus_plain_kmeans_mean": round(float((table["ari_auto"] - table["ari_plain_kmeans_true_k"]).mean()), 4),
        "auto_k_correct_share": round(float((table["auto_k"] == table["k"]).mean()), 3),
    }  # fmt: skip
    result = {
        "command": command,
        "python": platform.python_version(),
        "seconds": None,
        "simulation": {
            "command": command,
            "note": "ARI vs the true classes; *_true_k fit at the true k, ari_auto chooses method and k itself (n_bootstrap=0)",
            "checks": checks,
            "by_condition": summary.reset_index().to_dict(orient="records"),
            "runs": sims,
        },
        "determinism": {"command": command, **run_determinism()},
        "bfi": {"command": command, **run_bfi(n_bootstrap=10 if args.quick else 20)},
    }
    result["seconds"] = round(time.perf_counter() - t0, 1)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, default=str))
    print(summary.to_string())
    print(json.dumps(checks, indent=2))
    print(json.dumps({k: v for k, v in result["bfi"].items() if k != "segmentation"}, indent=2))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
