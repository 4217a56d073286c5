"""Build models/emotions/joint.onnx: the emotion model and stock MiniLM sharing layers 0-1.

The emotion model (``models/emotions/model.onnx``) was fine-tuned from
all-MiniLM-L6-v2 with the embeddings and the first 2 of 6 transformer layers
frozen, and both files quantize those weights the same way, so the two models
compute the same numbers up to the output of layer 1. ``joint.onnx`` is the
emotion graph plus stock MiniLM's layers 2-5 (``models/minilm/model.onnx``) fed
from the emotion graph's layer-1 output: one session gives ``probs``,
``embedding`` and MiniLM's ``last_hidden_state``, running 10 transformer layers
instead of 6 + 6. Nothing is retrained or re-quantized: the nodes and weights are
copied, and the script checks that both outputs equal the two separate models'
on real texts (``--check``).

    .venv/bin/python models/build_joint_onnx.py      # needs the dev extra (onnx)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EMOTIONS = REPO / "models" / "emotions" / "model.onnx"
MINILM = REPO / "models" / "minilm" / "model.onnx"
OUT = REPO / "models" / "emotions" / "joint.onnx"
HIDDEN = "last_hidden_state"
MINILM_PREFIX = "minilm::"

#: MiniLM tensors that equal an emotion-model tensor (frozen, identically quantized part)
SHARED = {
    "/inner/encoder/layer.1/output/LayerNorm/LayerNormalization_output_0": (
        "/encoder/encoder/layer.1/output/LayerNorm/LayerNormalization_output_0"
    ),
    "/inner/embeddings/LayerNorm/LayerNormalization_output_0": (
        "/encoder/embeddings/LayerNorm/LayerNormalization_output_0"
    ),
}


def build(emotions: Path = EMOTIONS, minilm: Path = MINILM, out: Path = OUT) -> int:
    """Write the joint graph; returns how many MiniLM nodes it kept."""
    import onnx

    joint = onnx.load(str(emotions))
    mini = onnx.load(str(minilm))
    produced = {t for n in joint.graph.node for t in n.output}
    missing = [t for t in SHARED.values() if t not in produced]
    if missing:
        raise SystemExit(f"the emotion graph has no tensor {missing[0]}: re-export it")
    inputs = {i.name for i in mini.graph.input}

    def rename(name: str) -> str:
        if name == "" or name in inputs:
            return name
        if name == HIDDEN:
            return HIDDEN
        return SHARED.get(name, MINILM_PREFIX + name)

    # the MiniLM nodes the hidden state needs once the shared tensors come from the emotion graph
    producer = {t: n for n in mini.graph.node for t in n.output}
    needed: set[str] = set()
    stack = [HIDDEN]
    while stack:
        t = stack.pop()
        if t in needed or t in SHARED:
            continue
        needed.add(t)
        if t in producer:
            stack.extend(i for i in producer[t].input if i)
    nodes = [n for n in mini.graph.node if any(t in needed for t in n.output)]
    used = {i for n in nodes for i in n.input}
    if used & (inputs - {"input_ids", "attention_mask"}):
        raise SystemExit(f"the MiniLM tail reads inputs {sorted(used & inputs)}: not supported")
    for n in nodes:
        copy = onnx.NodeProto()
        copy.CopyFrom(n)
        copy.name = MINILM_PREFIX + n.name
        del copy.input[:]
        copy.input.extend(rename(i) for i in n.input)
        del copy.output[:]
        copy.output.extend(rename(o) for o in n.output)
        joint.graph.node.append(copy)
    for init in mini.graph.initializer:
        if init.name in used:
            t = onnx.TensorProto()
            t.CopyFrom(init)
            t.name = MINILM_PREFIX + init.name
            joint.graph.initializer.append(t)
    joint.graph.output.extend(o for o in mini.graph.output if o.name == HIDDEN)
    domains = {o.domain for o in joint.opset_import}
    joint.opset_import.extend(o for o in mini.opset_import if o.domain not in domains)
    onnx.checker.check_model(joint)
    onnx.save(joint, str(out))
    return len(nodes)


def check(out: Path = OUT, n: int = 200) -> float:
    """Largest absolute difference between the joint outputs and the two models' own
    (probabilities and MiniLM vectors) on the first ``n`` NHS FFT answers."""
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(REPO))
    from insight.embed import OnnxEmbedder
    from insight.extract.emotions import EmotionModel

    df = pd.read_csv(REPO.parent / "shared" / "datasets" / "nhs_fft" / "nhs_fft_dev.csv")
    texts = df["FFT answer"].dropna().astype(str).head(n).tolist()
    alone = EmotionModel.load()
    joint = EmotionModel.load(onnx_file=out)
    p0 = alone.predict_proba(texts)
    p1, _, vecs = joint.predict_with_sentence_vectors(texts)
    v0 = OnnxEmbedder().encode(texts)
    ok = ~np.isnan(vecs).any(axis=1)
    diff = max(float(np.abs(p0 - p1).max()), float(np.abs(v0[ok] - vecs[ok]).max()))
    print(f"{n} texts: max abs difference {diff:.2e} ({int(ok.sum())} vectors compared)")
    return diff


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="compare with the separate models")
    args = ap.parse_args(argv)
    kept = build(out=args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB, {kept} MiniLM nodes)")
    if args.check and check(args.out) > 1e-5:
        raise SystemExit("the joint outputs differ from the separate models")


if __name__ == "__main__":
    main()
