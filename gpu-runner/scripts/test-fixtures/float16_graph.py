#!/usr/bin/env python3
"""float16_graph.py SRC DST: an fp32-compute ONNX graph -> the same graph computing in fp16 with fp16 inputs and
outputs (onnxruntime's float16 converter, keep_io_types off), as an fp16 export is. Test fixture of
optimize-sd-onnx.test.ts: stochedit-mini's UNet, converted so, has the fp16 Conv/GroupNorm patterns of SD 1.5's fp16
export that the optimizer's fp16 fixes are about."""
import sys

import onnx
from onnxruntime.transformers.float16 import convert_float_to_float16

onnx.save(convert_float_to_float16(onnx.load(sys.argv[1]), keep_io_types=False), sys.argv[2])
