"""Length-sorted batches in the two transformer passes: measured, not assumed (issue 14.3).

Both passes sort texts by length before batching (emotions by token count, the int8
MiniLM embedder by character count) and put rows back in input order. This compares,
on real units (the first N participant units of the NHS FFT dev export, file order):

* ``unsorted``: batches of 64 in input order (each batch padded to its longest text);
* ``char_sorted``: the shipped behaviour of the embedder (sorted by characters);
* ``token_sorted``: sorted by token count (the shipped behaviour of the emotion model).

For each: texts/s (best of ``--repeats`` runs, one onnxruntime thread, so the numbers
are comparable on a shared machine), the padded share of the token grid (exact,
load-independent), and the largest absolute difference from the unsorted outputs.

    nice -n 10 .venv/bin/python benchmarks/bench_model_passes.py  # -> results/model_passes.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "datasets"
BATCH = 64


def real_units(n: int) -> list[str]:
    """The first ``n`` participant unit texts of NHS FFT dev, as ingest makes them."""
    from insight import schema as S
    from insight.ingest import ingest_paths

    units = ingest_paths([DATA / "nhs_fft" / "nhs_fft_dev.csv"]).units
    texts = units.loc[units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER, S.TEXT].astype(str).tolist()
    return texts[:n]


def orders(texts: Sequence[str], token_lengths: Sequence[int]) -> dict[str, list[int]]:
    idx = list(range(len(texts)))
    return {
        "unsorted": idx,
        "char_sorted": sorted(idx, key=lambda i: (len(texts[i]), i)),
        "token_sorted": sorted(idx, key=lambda i: (token_lengths[i], i)),
    }


def padded_share(order: Sequence[int], lengths: Sequence[int]) -> float:
    """Share of the (batch x longest) token grid that is padding."""
    grid = real = 0
    for s in range(0, len(order), BATCH):
        chunk = [lengths[i] for i in order[s : s + BATCH]]
        grid += len(chunk) * max(chunk)
        real += sum(chunk)
    return 1 - real / grid


def run_in_order(
    fn: Callable[[list[str]], np.ndarray], texts: Sequence[str], order: Sequence[int]
) -> np.ndarray:
    """``fn`` on batches of 64 taken in ``order`` (each call holds one batch, so the
    model's own sort changes nothing); rows back in input order."""
    parts = [fn([texts[i] for i in order[s : s + BATCH]]) for s in range(0, len(order), BATCH)]
    out = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
    out[list(order)] = np.concatenate(parts)
    return out


def measure(
    name: str,
    fn: Callable[[list[str]], np.ndarray],
    texts: list[str],
    lengths: list[int],
    repeats: int,
) -> dict[str, object]:
    schemes = orders(texts, lengths)
    fn(texts[:BATCH])  # warm-up (session load, allocations)
    times: dict[str, list[float]] = {k: [] for k in schemes}
    outs: dict[str, np.ndarray] = {}
    for _ in range(repeats):  # interleaved, so a load spike hits every scheme alike
        for k, order in schemes.items():
            t = time.perf_counter()
            outs[k] = run_in_order(fn, texts, order)
            times[k].append(time.perf_counter() - t)
    base = outs["unsorted"]
    result: dict[str, object] = {}
    for k in schemes:
        best = min(times[k])
        result[k] = {
            "texts_per_s": round(len(texts) / best, 1),
            "best_s": round(best, 2),
            "runs_s": [round(x, 2) for x in times[k]],
            "padded_share": round(padded_share(schemes[k], lengths), 3),
            "max_abs_diff_vs_unsorted": float(np.abs(outs[k] - base).max()),
        }
    unsorted = result["unsorted"]["texts_per_s"]  # type: ignore[index]
    for k in ("char_sorted", "token_sorted"):
        result[k]["speedup_vs_unsorted"] = round(  # type: ignore[index]
            result[k]["texts_per_s"] / unsorted,  # type: ignore[index]
            2,
        )
    print(name, json.dumps(result, indent=1))
    return result


def joint_pass(n: int, repeats: int, out: Path) -> dict[str, object]:
    """The shared-trunk lever: the emotion model + the MiniLM embedder as two sessions
    (what `insight run` did) against ``joint.onnx`` (one session, layers 0-1 once), on
    the first ``n`` NHS FFT participant units; CPU seconds (load-independent on a
    shared machine) and wall seconds, interleaved, best of ``repeats``. Written into
    ``out`` (one_pass.json) under ``shared_trunk``."""
    from insight.embed import OnnxEmbedder
    from insight.extract.emotions import EmotionModel

    texts = real_units(n)
    alone, joint = EmotionModel.load(threads=1), EmotionModel.load(threads=1, joint=True)
    embedder = OnnxEmbedder(threads=1)

    def two_sessions() -> tuple[np.ndarray, np.ndarray]:
        return alone.predict_with_embeddings(texts)[0], embedder.encode(texts)

    def one_session() -> tuple[np.ndarray, np.ndarray]:
        p, _, v = joint.predict_with_sentence_vectors(texts)
        return p, v

    two_sessions(), one_session()  # warm-up
    cpu: dict[str, list[float]] = {"two_sessions": [], "joint": []}
    wall: dict[str, list[float]] = {"two_sessions": [], "joint": []}
    outs = {}
    for _ in range(repeats):
        for name, fn in (("two_sessions", two_sessions), ("joint", one_session)):
            t, c = time.perf_counter(), time.process_time()
            outs[name] = fn()
            wall[name].append(round(time.perf_counter() - t, 2))
            cpu[name].append(round(time.process_time() - c, 2))
    (p0, v0), (p1, v1) = outs["two_sessions"], outs["joint"]
    ok = ~np.isnan(v1).any(axis=1)
    res: dict[str, object] = {
        "command": f"nice -n 10 .venv/bin/python benchmarks/bench_model_passes.py --joint --n {n}",
        "data": f"first {len(texts)} participant units of nhs_fft_dev.csv (file order)",
        "tuned_on": "nothing",
        "what": "emotion model (probs + its vectors) and MiniLM int8 vectors: two sessions "
        "against models/emotions/joint.onnx, one onnxruntime thread each",
        "cpu_seconds": cpu,
        "wall_seconds": wall,
        "cpu_saving": round(1 - min(cpu["joint"]) / min(cpu["two_sessions"]), 3),
        "wall_saving": round(1 - min(wall["joint"]) / min(wall["two_sessions"]), 3),
        "max_abs_diff_probs": float(np.abs(p0 - p1).max()),
        "max_abs_diff_vectors": float(np.abs(v0[ok] - v1[ok]).max()),
        "vectors_left_to_the_embedder": int((~ok).sum()),
        "load_average_1min": round(os.getloadavg()[0], 1),
    }
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    data["shared_trunk"] = res
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(res, indent=1))
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "model_passes.json"
    )
    ap.add_argument(
        "--joint",
        action="store_true",
        help="time the shared-trunk joint pass instead (writes results/one_pass.json)",
    )
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.joint:
        joint_pass(args.n, args.repeats, ROOT / "benchmarks" / "results" / "one_pass.json")
        return
    from insight.embed import OnnxEmbedder
    from insight.extract.emotions import EmotionModel

    texts = real_units(args.n)
    emotions = EmotionModel.load(threads=1)
    emo_lengths = [len(e.ids) for e in emotions.tokenizer.encode_batch(texts)]
    embedder = OnnxEmbedder(threads=1)
    embedder._load()
    emb_lengths = [len(e.ids) for e in embedder._tokenizer.encode_batch(texts)]  # unpadded
    result = {
        "command": "nice -n 10 .venv/bin/python benchmarks/bench_model_passes.py",
        "data": f"first {len(texts)} participant units of nhs_fft_dev.csv (file order)",
        "tuned_on": "nothing (no parameter is chosen from these numbers' data)",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores shared with other work; "
        "one onnxruntime thread; best of the interleaved runs",
        "batch": BATCH,
        "emotions": measure(
            "emotions", lambda b: emotions.predict_proba(b, BATCH), texts, emo_lengths, args.repeats
        ),
        "embeddings": measure("embeddings", embedder.encode, texts, emb_lengths, args.repeats),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
