/**
 * @module check-runtime: what the GPU bench bundle runs on, checked before anything is benched: sharp and
 * onnxruntime-node load, and the CUDA provider beside onnxruntime-node is of the same ONNX Runtime version (the
 * runner's own check). One JSON line; exit 0 when the provider matches or is absent, 4 when it is of another version.
 */
import sharp from "sharp";
import {
  CudaProviderMismatch,
  checkCudaProvider,
  cudaProviderMismatchExitCode,
  onnxruntimeNode,
} from "../../gpu-runner/src/model/cuda-provider.js";

const ort = await import("onnxruntime-node");
const { version } = onnxruntimeNode();
const record = {
  kind: "check",
  node: process.version,
  sharp: sharp.versions.sharp,
  libvips: sharp.versions.vips,
  onnxruntimeNode: version,
  inferenceSession: typeof ort.InferenceSession.create === "function",
};
try {
  process.stdout.write(`${JSON.stringify({ ...record, cudaProvider: await checkCudaProvider(version) })}\n`);
} catch (error) {
  if (!(error instanceof CudaProviderMismatch)) throw error;
  process.stdout.write(
    `${JSON.stringify({ ...record, cudaProvider: { status: "mismatch", error: error.message } })}\n`,
  );
  process.exitCode = cudaProviderMismatchExitCode;
}
