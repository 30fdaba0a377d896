// @module build: bundles the GPU bench's entry points with esbuild into one folder of plain ESM files (node OUTDIR).
//   bench.mjs             gpu-bench.ts: the edit pipeline, timed (its inference worker: inference-worker.mjs)
//   compare.mjs           gpu-runner/scripts/compare-sd-graphs.ts: plain vs fused graphs on the same inputs
//   check.mjs             check-runtime.ts: sharp, onnxruntime-node and the CUDA provider's version
// onnxruntime-node and sharp stay external (native; pack.sh puts them in OUTDIR/node_modules). The runner's
// inference-client.ts starts its worker through tsx (a .ts file beside it); in the bundle the worker is
// inference-worker.mjs beside bench.mjs, so startWorker() is replaced, and the build fails if its source changed shape.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import * as esbuild from "esbuild";

const root = new URL("../../", import.meta.url).pathname;
const outdir = resolve(process.argv[2] ?? "dist");
const startWorkerSource =
  /function startWorker\(\): Worker \{\n[\s\S]*?return new Worker\(bootstrap, \{ eval: true, name: "stochedit-inference" \}\);\n\}/;

const bundledWorker = {
  name: "bundled-worker",
  setup(build) {
    build.onLoad({ filter: /gpu-runner[\\/]src[\\/]model[\\/]inference-client\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!startWorkerSource.test(source)) {
        throw new Error(
          "inference-client.ts: startWorker() no longer has the expected shape; update bench/gpu/build.mjs",
        );
      }
      const startWorker = [
        "function startWorker(): Worker {",
        '  return new Worker(new URL("./inference-worker.mjs", import.meta.url), { name: "stochedit-inference" });',
        "}",
      ].join("\n");
      return { contents: source.replace(startWorkerSource, startWorker), loader: "ts" };
    });
  },
};

await esbuild.build({
  absWorkingDir: root,
  entryPoints: {
    bench: "bench/gpu/gpu-bench.ts",
    "inference-worker": "gpu-runner/src/model/inference-worker.ts",
    compare: "gpu-runner/scripts/compare-sd-graphs.ts",
    check: "bench/gpu/check-runtime.ts",
  },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["onnxruntime-node", "sharp"],
  // Bundled CommonJS dependencies may call require(): give the ESM output one.
  banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
  plugins: [bundledWorker],
  logLevel: "warning",
  legalComments: "none",
});
console.log(`bundled bench.mjs, inference-worker.mjs, compare.mjs and check.mjs into ${outdir}`);
