/**
 * @module compare-sd-graphs: runs each part of two SD ONNX folders (the plain export and optimize-sd-onnx.py's fused
 * copy) on the same inputs and compares their outputs: the fused graph must match within fp16 tolerance.
 *
 * usage: tsx gpu-runner/scripts/compare-sd-graphs.ts PLAIN_DIR FUSED_DIR cuda|cpu [--side 512] [--tolerance 0.01]
 * Prints one JSON line per part and a last {"kind": "compare_done", "ok": ...}; exit 0 only if every compared part
 * is within tolerance. Parts whose model.onnx is byte-identical in both folders are skipped (not fused).
 * The fused ops (GroupNorm, NhwcConv, MultiHeadAttention...) have CUDA kernels only: on the CPU this compares the
 * graphs whose fusions the CPU provider runs (LayerNormalization, SkipLayerNormalization, Gelu).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as ort from "onnxruntime-node";
import { checkCudaProvider, onnxruntimeNode } from "../src/model/cuda-provider.js";
import { ortSessionOptions, parseExecutionProvider } from "../src/model/execution-provider.js";
import { fromFloat16Array, toFloat16Array } from "../src/model/float16.js";
import { readModelFolder } from "../src/model/model-folder.js";
import type { ExecutionProvider } from "../src/model/tensor-payload.js";
import { seededWeights } from "../src/model/tiny/seeded-weights.js";

const sdParts = ["text_encoder", "unet", "vae_encoder", "vae_decoder"] as const;
type SdPart = (typeof sdParts)[number];

interface OutputDifference {
  readonly name: string;
  readonly dims: readonly number[];
  /** ||fused - plain|| / ||plain|| over the whole tensor. */
  readonly relativeL2: number;
  readonly maxAbs: number;
  /** Largest |plain| value, for scale. */
  readonly plainAbsMax: number;
  readonly nonFinite: { readonly plain: number; readonly fused: number };
}

type PartComparison =
  | { readonly kind: "compare"; readonly part: SdPart; readonly status: "unchanged" }
  | {
      readonly kind: "compare";
      readonly part: SdPart;
      readonly status: "match" | "differs";
      readonly outputs: readonly OutputDifference[];
      /** The second (warm) run of each graph. */
      readonly plainMs: number;
      readonly fusedMs: number;
    };

interface CompareOptions {
  readonly provider: ExecutionProvider;
  /** Image side in pixels (latents are side / 8). */
  readonly side: number;
  /** The largest relative L2 difference accepted per output. */
  readonly tolerance: number;
}

/** fp16 keeps 11 significant bits (relative step 2^-11 = 4.9e-4); fused kernels sum in another order, through
 * dozens of layers. 1 % of the output's norm is far above that and far below a wrong fusion (order 1). */
const defaultTolerance = 0.01;

type Feeds = Record<string, ort.Tensor>;

async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  if (sa.size !== sb.size) return false;
  const digest = async (path: string) => {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest("hex");
  };
  return (await digest(a)) === (await digest(b));
}

function floatTensor(type: string, values: Float32Array, dims: number[]): ort.Tensor {
  return type === "float16"
    ? new ort.Tensor("float16", toFloat16Array(values), dims)
    : new ort.Tensor("float32", values, dims);
}

function floatsOf(tensor: ort.Tensor): Float32Array {
  if (tensor.type === "float16") return fromFloat16Array(tensor.data as Uint16Array);
  if (tensor.type === "float32") return tensor.data as Float32Array;
  return Float32Array.from(tensor.data as ArrayLike<number>);
}

function inputOf(session: ort.InferenceSession, name: string): { type: string; shape: readonly (number | string)[] } {
  const meta = session.inputMetadata.find((input) => input.name === name);
  if (!meta?.isTensor) throw new Error(`the graph has no tensor input named ${name}`);
  return { type: meta.type, shape: meta.shape };
}

/**
 * The feeds in the element types `session` declares: the fused graph takes float32 where the plain export takes
 * fp16 (optimize-sd-onnx.py --io float32), and gets the same values (fp16 ones are exact in float32).
 */
function feedsAs(session: ort.InferenceSession, feeds: Feeds): Feeds {
  return Object.fromEntries(
    Object.entries(feeds).map(([name, tensor]) => {
      const { type } = inputOf(session, name);
      const float = (t: string) => t === "float32" || t === "float16";
      if (type === tensor.type || !float(type) || !float(tensor.type)) return [name, tensor];
      return [name, floatTensor(type, floatsOf(tensor), [...tensor.dims])];
    }),
  );
}

function difference(name: string, plain: ort.Tensor, fused: ort.Tensor): OutputDifference {
  const a = floatsOf(plain);
  const b = floatsOf(fused);
  if (a.length !== b.length) throw new Error(`${name}: ${plain.dims} (plain) vs ${fused.dims} (fused)`);
  let squaredDiff = 0;
  let squaredPlain = 0;
  let maxAbs = 0;
  let plainAbsMax = 0;
  let plainNonFinite = 0;
  let fusedNonFinite = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!Number.isFinite(x)) plainNonFinite++;
    if (!Number.isFinite(y)) fusedNonFinite++;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const d = Math.abs(x - y);
    squaredDiff += d * d;
    squaredPlain += x * x;
    maxAbs = Math.max(maxAbs, d);
    plainAbsMax = Math.max(plainAbsMax, Math.abs(x));
  }
  return {
    name,
    dims: [...plain.dims],
    relativeL2: Math.sqrt(squaredDiff) / Math.max(Math.sqrt(squaredPlain), Number.MIN_VALUE),
    maxAbs,
    plainAbsMax,
    nonFinite: { plain: plainNonFinite, fused: fusedNonFinite },
  };
}

/** The inputs of one part, from the plain session's signature and the folder's configs (seeded, the same each run). */
async function feedsFor(
  part: SdPart,
  session: ort.InferenceSession,
  context: { vocabSize: number; latentSide: number; hidden: ort.Tensor | undefined; scale: number },
): Promise<Feeds> {
  const noise = seededWeights(17);
  const { latentSide: s } = context;
  switch (part) {
    case "text_encoder": {
      const ids = inputOf(session, "input_ids");
      const values = Array.from({ length: 2 * 77 }, (_, i) => (i * 7919 + 13) % context.vocabSize);
      return {
        input_ids:
          ids.type === "int32"
            ? new ort.Tensor("int32", Int32Array.from(values), [2, 77])
            : new ort.Tensor("int64", BigInt64Array.from(values.map(BigInt)), [2, 77]),
      };
    }
    case "unet": {
      const sample = inputOf(session, "sample");
      const timestep = inputOf(session, "timestep");
      const channels = typeof sample.shape[1] === "number" ? sample.shape[1] : 4;
      if (!context.hidden) throw new Error("the unet comparison needs the text encoder's output");
      const hidden = context.hidden;
      const hiddenType = inputOf(session, "encoder_hidden_states").type;
      return {
        sample: floatTensor(sample.type, noise(2 * channels * s * s, 1), [2, channels, s, s]),
        timestep:
          timestep.type === "int64"
            ? new ort.Tensor("int64", BigInt64Array.of(500n, 500n), [2])
            : floatTensor(timestep.type, Float32Array.of(500), []),
        encoder_hidden_states:
          hidden.type === hiddenType ? hidden : floatTensor(hiddenType, floatsOf(hidden), [...hidden.dims]),
      };
    }
    case "vae_encoder": {
      const sample = inputOf(session, "sample");
      const pixels = noise(3 * 64 * s * s, 0.5).map((v) => Math.max(-1, Math.min(1, v)));
      return { sample: floatTensor(sample.type, pixels, [1, 3, 8 * s, 8 * s]) };
    }
    case "vae_decoder": {
      const latent = inputOf(session, "latent_sample");
      return { latent_sample: floatTensor(latent.type, noise(4 * s * s, 1 / context.scale), [1, 4, s, s]) };
    }
  }
}

async function timedRun(session: ort.InferenceSession, feeds: Feeds): Promise<{ outputs: Feeds; ms: number }> {
  await session.run(feeds);
  const started = performance.now();
  const outputs = (await session.run(feeds)) as Feeds;
  return { outputs, ms: performance.now() - started };
}

/** Compares every part of the two folders, in pipeline order (the text encoder's output feeds the UNet's). */
async function compareSdGraphs(
  plainDir: string,
  fusedDir: string,
  options: CompareOptions,
  onPart: (result: PartComparison) => void = () => {},
): Promise<PartComparison[]> {
  const plainFolder = await readModelFolder(plainDir);
  const fusedFolder = await readModelFolder(fusedDir);
  const context = {
    vocabSize: Object.keys(plainFolder.vocab).length,
    latentSide: Math.round(options.side / 8),
    hidden: undefined as ort.Tensor | undefined,
    scale: plainFolder.vaeScaleFactor,
  };
  const sessionOptions = ortSessionOptions(options.provider);
  const results: PartComparison[] = [];
  for (const part of sdParts) {
    const plainPath = join(plainFolder.dir, part, "model.onnx");
    const fusedPath = join(fusedFolder.dir, part, "model.onnx");
    const unchanged = await sameFile(plainPath, fusedPath);
    if (unchanged && part !== "text_encoder") {
      const result = { kind: "compare", part, status: "unchanged" } as const;
      results.push(result);
      onPart(result);
      continue;
    }
    const plain = await ort.InferenceSession.create(plainPath, sessionOptions);
    try {
      const feeds = await feedsFor(part, plain, context);
      const plainRun = await timedRun(plain, feeds);
      if (part === "text_encoder") context.hidden = plainRun.outputs.last_hidden_state;
      if (unchanged) {
        const result = { kind: "compare", part, status: "unchanged" } as const;
        results.push(result);
        onPart(result);
        continue;
      }
      const fused = await ort.InferenceSession.create(fusedPath, sessionOptions);
      try {
        const fusedRun = await timedRun(fused, feedsAs(fused, feeds));
        const outputs = Object.keys(plainRun.outputs).map((name) => {
          const fusedOutput = fusedRun.outputs[name];
          if (!fusedOutput) throw new Error(`${part}: the fused graph has no output ${name}`);
          return difference(name, plainRun.outputs[name]!, fusedOutput);
        });
        const within = outputs.every(
          (o) => o.relativeL2 <= options.tolerance && o.nonFinite.fused <= o.nonFinite.plain && o.nonFinite.plain === 0,
        );
        const result = {
          kind: "compare",
          part,
          status: within ? "match" : "differs",
          outputs,
          plainMs: Number(plainRun.ms.toFixed(2)),
          fusedMs: Number(fusedRun.ms.toFixed(2)),
        } as const;
        results.push(result);
        onPart(result);
      } finally {
        await fused.release();
      }
    } finally {
      await plain.release();
    }
  }
  return results;
}

async function main(args: string[]): Promise<number> {
  const positional: string[] = [];
  let side = 512;
  let tolerance = defaultTolerance;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--side") side = Number(args[++i]);
    else if (arg === "--tolerance") tolerance = Number(args[++i]);
    else positional.push(arg);
  }
  const [plainDir, fusedDir, provider] = positional;
  if (!plainDir || !fusedDir || !provider || positional.length !== 3 || !(side >= 8) || !(tolerance > 0)) {
    process.stderr.write("usage: compare-sd-graphs PLAIN_DIR FUSED_DIR cuda|cpu [--side 512] [--tolerance 0.01]\n");
    return 2;
  }
  const options = { provider: parseExecutionProvider(provider, "provider"), side, tolerance };
  if (options.provider === "cuda") {
    const check = await checkCudaProvider(onnxruntimeNode().version);
    process.stdout.write(`${JSON.stringify({ kind: "cuda_provider", ...check })}\n`);
  }
  const results = await compareSdGraphs(plainDir, fusedDir, options, (result) =>
    process.stdout.write(`${JSON.stringify(result)}\n`),
  );
  const ok = results.every((result) => result.status !== "differs") && results.some((r) => r.status === "match");
  process.stdout.write(`${JSON.stringify({ kind: "compare_done", ok, plainDir, fusedDir, ...options })}\n`);
  return ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
