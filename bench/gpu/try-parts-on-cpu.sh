#!/usr/bin/env bash
# @module try-parts-on-cpu: `npm run bench:gpu:cpu`: every part pack.sh wrote, run here in order as the GPU machine's
# calls would run them, on the CPU: the pieces' checksums, the bundle (its node, onnxruntime-node and sharp), the
# CUDA provider's reassembly and version check, optimize-sd-onnx.py, the graph comparison and the bench, with
# stochedit-mini in place of the random SD 1.5 export (no torch here) and 2 steps per edit.
#   PYTHON       a python3 with gpu-runner/scripts/optimize-sd-onnx.requirements.txt installed (required)
#   MODEL_SOURCE the SD ONNX folder to use (default: models/stochedit-mini)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:?set PYTHON to a python3 with gpu-runner/scripts/optimize-sd-onnx.requirements.txt installed}
work=$(mktemp -d "${TMPDIR:-/tmp}/stochedit-gpu-parts-XXXXXX")
trap 'rm -rf "$work"' EXIT
for part in "$ROOT"/.gpu/parts/part*/; do
  STAGE_DIR=$work/stage OUT=$work/out/$(basename "$part") PROVIDER=cpu PYTHON=$PYTHON \
    MODEL_SOURCE=${MODEL_SOURCE:-$ROOT/models/stochedit-mini} BENCH_ARGS="--steps 2 --runs 1" COMPARE_ARGS="--side 128" \
    BENCH_TIMEOUT=900 bash "$part/run.sh"
done
