"""GoEmotions head on stock MiniLM sentence vectors: can one transformer pass serve all?

`insight run` makes two transformer passes: the fine-tuned emotion model
(``models/emotions``) and the stock all-MiniLM-L6-v2 int8 embedder
(``models/minilm``, topics / vocabulary / segments). This trains a small head (a
linear layer, or one ReLU hidden layer) on the embedder's vectors of GoEmotions
``train.tsv`` (28 sigmoid outputs, BCE with ``pos_weight = sqrt(neg/pos)`` clipped
to [1, 10] as in ``train_emotions.py``, AdamW, one-cycle schedule, seed 13), tunes
one threshold per label on ``dev.tsv`` (the shipped model's protocol) and scores
dev the way ``models/emotions/metrics.json`` does: 28-label and Ekman macro-F1
with dev-tuned thresholds (optimistic) and with split-half thresholds (tuned on
one half of dev, scored on the other, mean of both ways).

Every architecture in ``--hidden`` is trained; the one with the best split-half
Ekman macro-F1 is written to ``--out`` (``head.npz``: ``w0, b0[, w1, b1]``,
``thresholds.json``, ``metrics.json``). The vectors are cached by text hash
(``onnx_tools.minilm_vectors``), so only the first run pays for the encoder pass.

    nice -n 10 .venv/bin/python models/train_emotion_head.py --out /tmp/H2/emotion_head
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "models"))
sys.path.insert(0, str(REPO))

from onnx_tools import minilm_vectors  # noqa: E402  (models/onnx_tools.py)
from train_emotions import (  # noqa: E402
    ekman_sets,
    macro_f1,
    per_label_f1,
    read_split,
    tune_thresholds,
)

DATA = REPO.parent / "shared" / "datasets" / "goemotions"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def head_probs(layers: list[tuple[np.ndarray, np.ndarray]], vectors: np.ndarray) -> np.ndarray:
    """Sigmoid outputs of the head (ReLU between layers) for (n, 384) vectors."""
    h = np.asarray(vectors, dtype=np.float32)
    for k, (w, b) in enumerate(layers):
        h = h @ w.T + b
        if k < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return (1.0 / (1.0 + np.exp(-h))).astype(np.float32)


def load_head(folder: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """The layers of ``folder/head.npz``, in order."""
    with np.load(folder / "head.npz") as z:
        n = len([k for k in z.files if k.startswith("w")])
        return [(z[f"w{k}"].astype(np.float32), z[f"b{k}"].astype(np.float32)) for k in range(n)]


def train(
    x: np.ndarray, y: np.ndarray, hidden: int, epochs: int, lr: float, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    xt, yt = torch.tensor(x), torch.tensor(y)
    pos = yt.mean(0)
    pw = torch.clamp(torch.sqrt((1 - pos) / pos), 1, 10)
    if hidden:
        net = torch.nn.Sequential(
            torch.nn.Dropout(0.1),
            torch.nn.Linear(x.shape[1], hidden),
            torch.nn.ReLU(),
            torch.nn.Dropout(0.1),
            torch.nn.Linear(hidden, y.shape[1]),
        )
    else:
        net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], y.shape[1]))
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pw)
    gen = torch.Generator().manual_seed(seed)
    n, batch = len(xt), 128
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=lr, total_steps=epochs * ((n + batch - 1) // batch), pct_start=0.06
    )
    for _ in range(epochs):
        net.train()
        perm = torch.randperm(n, generator=gen)
        for s in range(0, n, batch):
            b = perm[s : s + batch]
            opt.zero_grad()
            loss_fn(net(xt[b]), yt[b]).backward()
            opt.step()
            sched.step()
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    return [(m.weight.detach().numpy().copy(), m.bias.detach().numpy().copy()) for m in linears]


def with_fallback(p: np.ndarray, thr: np.ndarray) -> np.ndarray:
    """Labels at or above their threshold, else the best probability/threshold ratio
    (`EmotionModel.predict_multi_hot`)."""
    hot = p >= thr
    none = ~hot.any(1)
    best = (p / np.maximum(thr, 1e-6)).argmax(1)
    hot[np.flatnonzero(none), best[none]] = True
    return hot


def dev_scores(p: np.ndarray, y: np.ndarray, labels: list[str], mapping: dict, seed: int) -> dict:
    """The metrics.json measures of the shipped emotion model, for probabilities ``p``."""
    y = y.astype(bool)
    gold_ek = ekman_sets(y, labels, mapping)
    thr = tune_thresholds(y, p)
    hot = with_fallback(p, thr)
    half = np.random.default_rng(seed).permutation(len(y)) < len(y) // 2
    split28, split_ek = [], []
    for fit, score in ((half, ~half), (~half, half)):
        t = tune_thresholds(y[fit], p[fit])
        split28.append(macro_f1(y[score], p[score] >= t))
        h = with_fallback(p[score], t)
        split_ek.append(per_label_f1(gold_ek[score], ekman_sets(h, labels, mapping)).mean())
    return {
        "macro_f1_28_tuned": round(float(per_label_f1(y, hot).mean()), 4),
        "macro_f1_28_split_half": round(float(np.mean(split28)), 4),
        "macro_f1_28_at_0.5": round(float(macro_f1(y, p >= 0.5)), 4),
        "macro_f1_ekman_tuned": round(
            float(per_label_f1(gold_ek, ekman_sets(hot, labels, mapping)).mean()), 4
        ),
        "macro_f1_ekman_split_half": round(float(np.mean(split_ek)), 4),
        "thresholds": [float(t) for t in thr],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--hidden", default="0,512,1024", help="hidden widths to try (0 = linear)")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)

    labels = (DATA / "emotions.txt").read_text().split()
    mapping = json.loads((DATA / "ekman_mapping.json").read_text())
    tr_t, y_tr = read_split(DATA / "train.tsv", len(labels))
    dv_t, y_dv = read_split(DATA / "dev.tsv", len(labels))
    x_tr, x_dv = minilm_vectors(tr_t, log), minilm_vectors(dv_t, log)
    tried = []
    for hidden in [int(h) for h in args.hidden.split(",")]:
        t0 = time.time()
        layers = train(x_tr, y_tr, hidden, args.epochs, args.lr, args.seed)
        res = dev_scores(head_probs(layers, x_dv), y_dv, labels, mapping, args.seed)
        res.update(hidden=hidden, train_seconds=round(time.time() - t0, 1))
        log(json.dumps({k: v for k, v in res.items() if k != "thresholds"}))
        tried.append((res, layers))
    best, layers = max(tried, key=lambda r: r[0]["macro_f1_ekman_split_half"])
    args.out.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {}
    for k, (w, b) in enumerate(layers):
        arrays[f"w{k}"], arrays[f"b{k}"] = w.astype(np.float16), b.astype(np.float32)
    np.savez_compressed(args.out / "head.npz", **arrays)
    thr = dict(zip(labels, best["thresholds"], strict=True))
    (args.out / "thresholds.json").write_text(json.dumps(thr, indent=2) + "\n")
    metrics = {
        "command": "nice -n 10 .venv/bin/python models/train_emotion_head.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "features": "stock all-MiniLM-L6-v2 int8 (models/minilm) sentence vectors",
        "data": {"train": "GoEmotions train.tsv (43,410)", "dev": "GoEmotions dev.tsv (5,426)"},
        "chosen_by": "best split-half Ekman macro-F1 on GoEmotions dev (tuned on dev)",
        "tried": [{k: v for k, v in r.items() if k != "thresholds"} for r, _ in tried],
        "chosen": {k: v for k, v in best.items() if k != "thresholds"},
        "params": {k: str(v) for k, v in vars(args).items()},
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
