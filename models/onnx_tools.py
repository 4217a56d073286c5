"""ONNX helpers shared by the model build scripts (need the dev extra: ``onnx``)."""

from __future__ import annotations

from pathlib import Path


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
