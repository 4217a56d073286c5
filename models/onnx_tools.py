"""ONNX helpers shared by the model build and training scripts.

``quantize_int8_blockwise`` needs the dev extra (``onnx``); ``emotion_outputs``
runs the shipped emotion model with onnxruntime alone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np


def emotion_outputs(
    texts: list[str], log: Callable[[str], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The shipped emotion model's probabilities and sentence vectors, one pass."""
    from insight.extract.emotions import EmotionModel

    model = EmotionModel.load()
    probs, vecs = [], []
    for i in range(0, len(texts), 256):
        p, e = model.predict_with_embeddings(texts[i : i + 256])
        probs.append(p)
        vecs.append(e)
        if log is not None and i % 5120 == 0:
            log(f"emotion model outputs {i}/{len(texts)}")
    return np.vstack(probs).astype(np.float32), np.vstack(vecs).astype(np.float32)


def quantize_int8_blockwise(fp32: Path, out: Path, block_size: int = 32) -> None:
    """Int8 weights in blocks of ``block_size`` (MatMulNBits) plus an int8 word-embedding table.

    ``accuracy_level=4`` quantizes activations per row and block, so a text's output
    does not depend on the other texts in its batch (``quantize_dynamic`` uses one
    activation scale per tensor, i.e. per batch). The embedding table is a Gather;
    it is stored as int8 with a fixed scale.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    cfg = DefaultWeightOnlyQuantConfig(
        block_size=block_size, is_symmetric=True, bits=8, accuracy_level=4
    )
    q = MatMulNBitsQuantizer(
        onnx.load(str(fp32)), bits=8, block_size=block_size, is_symmetric=True, algo_config=cfg
    )
    q.process()
    nbits = out.with_name(out.stem + ".nbits.onnx")
    q.model.save_model_to_file(str(nbits), False)
    try:
        quantize_dynamic(
            str(nbits), str(out), op_types_to_quantize=["Gather"], weight_type=QuantType.QInt8
        )
    finally:
        nbits.unlink(missing_ok=True)
