#!/usr/bin/env python3
"""optimize-sd-onnx: an SD 1.5 ONNX folder (as optimum exports it, fp16) -> the same folder with fused graphs for
ONNX Runtime's CUDA provider.

usage: python3 optimize-sd-onnx.py SRC_DIR DST_DIR [--parts unet,vae_encoder,vae_decoder,text_encoder]
                                  [--io float32|keep] [--no-fuse]

DST_DIR gets every file of SRC_DIR; each part named in --parts (default: all four) gets its model.onnx rewritten by
onnxruntime's transformer optimizer with the settings of onnxruntime's own SD script
(onnxruntime/transformers/models/stable_diffusion/optimize_pipeline.py: FusionOptions of the part's model type, unet
-> "unet", vae_* -> "vae", text_encoder -> "clip"; optimize_model(opt_level=0, use_gpu=True)). Python fusions only,
no ORT session: the CPU-only onnxruntime package is enough, and no GPU is needed. The fused ops (MultiHeadAttention,
GroupNorm, SkipGroupNorm, NhwcConv, BiasSplitGelu) have CUDA kernels only: the output runs on the CUDA provider.
optimize_pipeline.py fuses an fp32 export and converts it to fp16 afterwards; this script takes the fp16 export as it
is, which needs three fixes to the fusions (applied below, in this process only):
  * Fusion.add_initializer writes ndarray bytes as they are: GroupNorm's gamma/beta (declared FLOAT) would get fp16
    bytes, MultiHeadAttention's packed bias (declared FLOAT16) fp32 bytes. Patched to cast to the declared type.
  * FusionAttentionUnet.match_qkv_torch2 rejects the Casts an fp16 export puts in SDPA's scale path: both accepted.
  * FusionAttentionUnet.get_num_heads does int() of a shape-[1] array (a TypeError on NumPy >= 2.4): .item().
Then (--io float32, the default) every fp16 input and output of the graph becomes float32, with a Cast inside the
graph: the graph still computes in fp16, and the runner hands float32 straight to ONNX Runtime instead of converting
each step's latents and outputs to and from half floats in JavaScript (issue 16: that conversion was most of the
fp16 overhead). The Cast rounds to nearest even, as the runner's own conversion does: the same bytes out. --io keep
leaves the types as they are. --no-fuse skips the fusions (whose ops only the CUDA provider runs) and only rewrites
the inputs and outputs: a folder the CPU provider runs, which `npm run bench` measures.
After fusing, each part is checked before it is written: every initializer's byte size matches its dims and type,
and the graph keeps the inputs and outputs the runner's loader reads (names and ranks; element types too, but for
fp16 ones made float32 by --io float32).
Prints one JSON line per part ({"kind": "optimize", "part": ...}) and a last {"kind": "optimize_done", "ok": ...}.
Exit 0 only if every requested part was fused and passed its checks; a part that was not keeps its plain graph in
DST_DIR (so DST_DIR is always a complete folder).
Pinned dependencies: optimize-sd-onnx.requirements.txt beside this file.
"""

import argparse
import collections
import json
import os
import shutil
import sys
import time

PART_MODEL_TYPES = {"text_encoder": "clip", "unet": "unet", "vae_encoder": "vae", "vae_decoder": "vae"}
FUSED_OPS = ["MultiHeadAttention", "Attention", "GroupNorm", "SkipGroupNorm", "BiasSplitGelu", "BiasAdd", "NhwcConv",
             "LayerNormalization", "SkipLayerNormalization", "FastGelu", "BiasGelu", "Gelu"]
# Protobuf refuses to serialize a model over 2 GB: above this, weights go to an external data file.
EXTERNAL_DATA_BYTES = 1_800_000_000
T0 = time.time()


def log(message):
    print(f"[optimize {time.time() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def emit(record):
    print(json.dumps(record), flush=True)


def patch_fusions_for_float16_graphs():
    """The three fixes of the module docstring, on both copies of each module (see the comment below)."""
    import numpy as np
    from onnx import helper

    # onnxruntime.transformers puts its folder on sys.path and its modules import each other by bare name, so each
    # fusion class exists twice (onnxruntime.transformers.fusion_base and fusion_base): patch both. The package
    # import comes first: it is what puts the folder on sys.path.
    from onnxruntime.transformers import fusion_attention_unet as package_attention
    from onnxruntime.transformers import fusion_base as package_base

    import fusion_attention_unet as bare_attention
    import fusion_base as bare_base

    original_add_initializer = package_base.Fusion.add_initializer

    def add_initializer(self, name, data_type, dims, vals, raw=True):
        if raw and isinstance(vals, np.ndarray):
            declared = helper.tensor_dtype_to_np_dtype(data_type)
            if vals.dtype != declared:
                vals = vals.astype(declared)
        return original_add_initializer(self, name, data_type, dims, vals, raw)

    def match_qkv_torch2(self, root_input, skip_add):
        other_input = 1 if skip_add.input[0] == root_input else 0
        qkv_nodes = self.model.match_parent_path(
            skip_add, ["Add", "MatMul", "Reshape", "Transpose", "MatMul"], [other_input, None, None, 0, 0]
        )
        if qkv_nodes is None:
            return None
        (_, _, reshape_qkv, transpose_qkv, matmul_qkv) = qkv_nodes
        v_nodes = self.model.match_parent_path(matmul_qkv, ["Transpose", "Reshape", "MatMul"], [1, 0, 0])
        if v_nodes is None:
            return None
        matmul_v = v_nodes[-1]
        qk_nodes = self.model.match_parent_path(matmul_qkv, ["Softmax", "MatMul"], [0, 0])
        if qk_nodes is None:
            return None
        matmul_qk = qk_nodes[1]
        q_nodes = self.model.match_parent_path(matmul_qk, ["Mul", "Transpose", "Reshape", "MatMul"], [0, None, 0, 0])
        if q_nodes is None:
            return None
        (mul_q, _, reshape_q, matmul_q) = q_nodes
        k_nodes = self.model.match_parent_path(matmul_qk, ["Mul", "Transpose", "Reshape", "MatMul"], [1, None, 0, 0])
        if k_nodes is None:
            return None
        matmul_k = k_nodes[-1]
        # SDPA's scale, 1/sqrt(sqrt(head_size)) on q and k: the fp32 export's path, then the fp16 export's (Casts).
        scale_paths = (
            (["Sqrt", "Div", "Sqrt", "Cast", "Slice", "Shape", "Transpose", "Reshape"], [None, 0, 1, 0, 0, 0, 0, 0]),
            (
                ["Sqrt", "Cast", "Div", "Cast", "Sqrt", "Cast", "Slice", "Shape", "Transpose", "Reshape"],
                [None, 0, 0, 1, 0, 0, 0, 0, 0, 0],
            ),
        )
        for path, indices in scale_paths:
            scale_nodes = self.model.match_parent_path(mul_q, path, indices)
            if scale_nodes is not None and scale_nodes[-1] == reshape_q:
                return True, reshape_qkv, transpose_qkv, reshape_q, matmul_q, matmul_k, matmul_v
        return None

    def get_num_heads(self, reshape_q, is_torch2=False):
        heads = 0
        if is_torch2:
            concat = self.model.get_parent(reshape_q, 1)
            if concat is not None and concat.op_type == "Concat" and len(concat.input) == 4:
                value = self.model.get_constant_value(concat.input[2])
                if isinstance(value, np.ndarray) and value.size == 1:
                    heads = int(value.reshape(-1)[0].item())
        else:
            value = self.model.get_constant_value(reshape_q.input[1])
            if isinstance(value, np.ndarray) and list(value.shape) == [4]:
                heads = int(value[2].item())
        return max(heads, 0)

    for module in {id(m): m for m in (package_base, bare_base)}.values():
        module.Fusion.add_initializer = add_initializer
    for module in {id(m): m for m in (package_attention, bare_attention)}.values():
        module.FusionAttentionUnet.match_qkv_torch2 = match_qkv_torch2
        module.FusionAttentionUnet.get_num_heads = get_num_heads


def op_counts(graph):
    counts = collections.Counter(node.op_type for node in graph.node)
    return {"nodes": len(graph.node), "fused": {op: counts[op] for op in FUSED_OPS if counts[op]}}


def signature(graph):
    """Inputs (without initializers) and outputs: name -> (element type, rank)."""
    initializers = {tensor.name for tensor in graph.initializer}

    def spec(value):
        tensor = value.type.tensor_type
        return [tensor.elem_type, len(tensor.shape.dim)]

    return {
        "inputs": {v.name: spec(v) for v in graph.input if v.name not in initializers},
        "outputs": {v.name: spec(v) for v in graph.output},
    }


def initializer_problems(graph):
    """Initializers whose stored bytes do not match dims x element size (raw_data, in-memory tensors only)."""
    import numpy as np
    from onnx import TensorProto, helper

    problems = []
    for tensor in graph.initializer:
        if tensor.data_location == TensorProto.EXTERNAL or not tensor.HasField("raw_data"):
            continue
        count = int(np.prod(tensor.dims)) if len(tensor.dims) else 1
        expected = count * np.dtype(helper.tensor_dtype_to_np_dtype(tensor.data_type)).itemsize
        if len(tensor.raw_data) != expected:
            problems.append(f"{tensor.name}: {len(tensor.raw_data)} bytes for {list(tensor.dims)} of type "
                            f"{TensorProto.DataType.Name(tensor.data_type)} ({expected} expected)")
    return problems


def float32_io(graph):
    """Every fp16 input and output of the graph made float32, a Cast beside each: what the runner sees changes, the
    graph's fp16 computation does not. Answers the names it changed."""
    from onnx import TensorProto, helper

    initializers = {tensor.name for tensor in graph.initializer}
    is_float16 = lambda value: value.type.tensor_type.elem_type == TensorProto.FLOAT16  # noqa: E731
    inputs = [v for v in graph.input if v.name not in initializers and is_float16(v)]
    outputs = [v for v in graph.output if is_float16(v)]
    # Inside the graph each of them keeps its fp16 value under a new name; the old name is the float32 one outside.
    inner = {value.name: f"{value.name}_float16" for value in inputs + outputs}
    for node in graph.node:
        node.input[:] = [inner.get(name, name) for name in node.input]
        node.output[:] = [inner.get(name, name) for name in node.output]
    for value in graph.value_info:
        if value.name in inner:
            value.name = inner[value.name]
    casts_in = [helper.make_node("Cast", [v.name], [inner[v.name]], name=f"{v.name}_to_float16", to=TensorProto.FLOAT16)
                for v in inputs]
    casts_out = [helper.make_node("Cast", [inner[v.name]], [v.name], name=f"{v.name}_to_float32", to=TensorProto.FLOAT)
                 for v in outputs]
    nodes = casts_in + list(graph.node) + casts_out
    del graph.node[:]
    graph.node.extend(nodes)
    for value in inputs + outputs:
        value.type.tensor_type.elem_type = TensorProto.FLOAT
    return [value.name for value in inputs + outputs]


def with_float32_io(expected):
    """A signature() with its fp16 element types as float32_io makes them."""
    from onnx import TensorProto

    def spec(value):
        elem_type, rank = value
        return [TensorProto.FLOAT if elem_type == TensorProto.FLOAT16 else elem_type, rank]

    return {side: {name: spec(value) for name, value in specs.items()} for side, specs in expected.items()}


def fused_model(src, part):
    """The part's graph through onnxruntime's transformer optimizer (an OnnxModel)."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    model_type = PART_MODEL_TYPES[part]
    log(f"{part}: fusing ({model_type}) {src}")
    return optimize_model(src, model_type=model_type, num_heads=0, hidden_size=0, opt_level=0,
                          optimization_options=FusionOptions(model_type), use_gpu=True)


def optimize_part(src, dst, part, fuse, io):
    import onnx
    from onnxruntime.transformers.onnx_model import OnnxModel

    record = {"kind": "optimize", "part": part, "fused": fuse, "io": io, "ok": False}
    if fuse:
        record["modelType"] = PART_MODEL_TYPES[part]
    started = time.time()
    source = onnx.load(src, load_external_data=not fuse)
    record["before"] = op_counts(source.graph)
    expected_signature = signature(source.graph)
    if fuse:
        del source
        prepared = fused_model(src, part)
    else:
        prepared = OnnxModel(source)
    graph = prepared.model.graph
    if io == "float32":
        record["float32Io"] = float32_io(graph)
        expected_signature = with_float32_io(expected_signature)
    record["after"] = op_counts(graph)
    problems = initializer_problems(graph)
    got_signature = signature(graph)
    if got_signature != expected_signature:
        problems.append(f"inputs/outputs changed: {json.dumps(expected_signature)} -> {json.dumps(got_signature)}")
    record["signature"] = got_signature
    if problems:
        record["problems"] = problems[:20]
        return record
    weight_bytes = sum(len(tensor.raw_data) for tensor in graph.initializer)
    external = weight_bytes > EXTERNAL_DATA_BYTES
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    for leftover in (dst, f"{dst}.data", f"{dst}_data"):
        if os.path.exists(leftover):
            os.remove(leftover)
    prepared.save_model_to_file(dst, use_external_data_format=external)
    record.update(ok=True, weightBytes=weight_bytes, externalData=external, seconds=round(time.time() - started, 1))
    return record


def copy_folder(src_dir, dst_dir, parts):
    """Every file of src_dir into dst_dir, except the model files of the parts that will be rewritten."""
    for root, _, names in os.walk(src_dir):
        relative = os.path.relpath(root, src_dir)
        part = relative.split(os.sep)[0]
        for name in names:
            if part in parts and (name == "model.onnx" or name.startswith("model.onnx")):
                continue
            target = os.path.join(dst_dir, relative, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(os.path.join(root, name), target)


def copy_part_model(src_dir, dst_dir, part):
    """The part's model.onnx and its external data files, as they are in src_dir."""
    os.makedirs(os.path.join(dst_dir, part), exist_ok=True)
    for name in os.listdir(os.path.join(src_dir, part)):
        if name.startswith("model.onnx"):
            shutil.copy2(os.path.join(src_dir, part, name), os.path.join(dst_dir, part, name))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src_dir")
    parser.add_argument("dst_dir")
    parser.add_argument("--parts", default=",".join(PART_MODEL_TYPES),
                        help="comma-separated parts to fuse (default: all four)")
    parser.add_argument("--io", choices=["float32", "keep"], default="float32",
                        help="float32 (default): fp16 inputs and outputs become float32, cast inside the graph")
    parser.add_argument("--no-fuse", dest="fuse", action="store_false",
                        help="only rewrite the inputs and outputs (a graph the CPU provider runs)")
    args = parser.parse_args()
    parts = [part for part in args.parts.split(",") if part]
    unknown = [part for part in parts if part not in PART_MODEL_TYPES]
    if unknown or not parts:
        parser.error(f"--parts: unknown {unknown}; choose from {sorted(PART_MODEL_TYPES)}")
    src_dir, dst_dir = os.path.abspath(args.src_dir), os.path.abspath(args.dst_dir)
    if src_dir == dst_dir:
        parser.error("DST_DIR must differ from SRC_DIR (the source graphs are compared against)")
    missing = [part for part in parts if not os.path.isfile(os.path.join(src_dir, part, "model.onnx"))]
    if missing:
        parser.error(f"{src_dir} has no model.onnx for {missing}")

    import onnx
    import onnxruntime

    versions = {"onnxruntime": onnxruntime.__version__, "onnx": onnx.__version__}
    patch_fusions_for_float16_graphs()
    copy_folder(src_dir, dst_dir, parts)
    ok = True
    for part in parts:
        try:
            record = optimize_part(os.path.join(src_dir, part, "model.onnx"), os.path.join(dst_dir, part, "model.onnx"),
                                   part, args.fuse, args.io)
        except Exception as error:  # noqa: BLE001 - report the part, go on with the others, fail at the end
            record = {"kind": "optimize", "part": part, "ok": False, "error": f"{type(error).__name__}: {error}"[:1500]}
        if not record["ok"]:
            # DST stays a complete folder: the part keeps its plain graph (the exit code still says it failed).
            copy_part_model(src_dir, dst_dir, part)
            record["keptPlainGraph"] = True
        ok = ok and record["ok"]
        emit(record)
    emit({"kind": "optimize_done", "ok": ok, "src": src_dir, "dst": dst_dir, "parts": parts, "fused": args.fuse,
          "io": args.io, **versions,
          "seconds": round(time.time() - T0, 1)})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
