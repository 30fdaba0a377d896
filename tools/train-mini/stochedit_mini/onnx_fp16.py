"""Stores an exported graph's float weights as float16, each behind a Cast back to float32.

The file halves while the CPU still computes in float32 (onnxruntime folds the casts once, at session load);
onnxruntime's CPU provider lacks float16 kernels for much of a UNet (see the model card for what was measured).
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def float16_weights(model: onnx.ModelProto, min_elements: int = 16) -> onnx.ModelProto:
    graph = model.graph
    casts = []
    kept = []
    for initializer in graph.initializer:
        values = numpy_helper.to_array(initializer)
        if initializer.data_type != TensorProto.FLOAT or values.size < min_elements:
            kept.append(initializer)
            continue
        half_name = f"{initializer.name}_fp16"
        kept.append(numpy_helper.from_array(values.astype(np.float16), half_name))
        casts.append(helper.make_node("Cast", [half_name], [initializer.name], to=TensorProto.FLOAT))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    return model
