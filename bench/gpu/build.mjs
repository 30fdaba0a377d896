// @module build: bundles the GPU bench's entry points with esbuild into one folder of plain ESM files (node OUTDIR).
//   bench.mjs             gpu-bench.ts: the edit pipeline, timed (its worker threads: inference-worker.mjs, where a
//                         CPU run's sessions go, and gaussian-worker.mjs, which draws each edit's noise ahead)
//   compare.mjs           gpu-runner/scripts/compare-sd-graphs.ts: plain vs fused graphs on the same inputs
//   check.mjs             check-runtime.ts: sharp, onnxruntime-node and the CUDA provider's version
// onnxruntime-node and sharp stay external (native; pack.sh puts them in OUTDIR/node_modules). The runner starts its
// workers through tsx (typescript-worker.ts: a .ts file beside the caller); in the bundle each worker is an .mjs
// beside bench.mjs, so startTypeScriptWorker() is replaced, and the build fails if its source changed shape.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import * as esbuild from "esbuild";

const root = new URL("../../", import.meta.url).pathname;
const outdir = resolve(process.argv[2] ?? "dist");
const startWorkerSource =
  /export function startTypeScriptWorker\(entry: URL, name: string\): Worker \{\n[\s\S]*?return new Worker\(bootstrap, \{ eval: true, name \}\);\n\}/;

const bundledWorker = {
  name: "bundled-worker",
  setup(build) {
    build.onLoad({ filter: /gpu-runner[\\/]src[\\/]typescript-worker\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!startWorkerSource.test(source)) {
        throw new Error(
          "typescript-worker.ts: startTypeScriptWorker() no longer has the expected shape; update bench/gpu/build.mjs",
        );
      }
      const startWorker = [
        "export function startTypeScriptWorker(entry: URL, name: string): Worker {",
        '  const bundled = entry.pathname.split("/").at(-1)!.replace(/\\.ts$/, ".mjs");',
        '  return new Worker(new URL("./" + bundled, import.meta.url), { name });',
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
    "gaussian-worker": "gpu-runner/src/noise/gaussian-worker.ts",
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
console.log(`bundled bench.mjs, inference-worker.mjs, gaussian-worker.mjs, compare.mjs and check.mjs into ${outdir}`);
