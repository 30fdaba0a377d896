import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EditJob } from "../src/edit/edit-job.js";
import { runEdit } from "../src/edit/run-edit.js";
import { pngOf } from "../src/image/image-fixtures.js";
import { miniModelDir } from "../src/model/default-model-dir.js";
import { toFloat16Array } from "../src/model/float16.js";
import { closeSdModels, loadSdModel } from "../src/model/sd-model.js";
import { tinyModelSpecs } from "../src/model/tiny/tiny-model-spec.js";
import { ensureTinyModels } from "../src/model/tiny/write-tiny-model.js";
import { ensurePythonEnv } from "./python-env.js";

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const run = promisify(execFile);
const script = new URL("./optimize-sd-onnx.py", import.meta.url).pathname;
const compareScript = new URL("./compare-sd-graphs.ts", import.meta.url).pathname;
const float16Fixture = new URL("./test-fixtures/float16_graph.py", import.meta.url).pathname;
const parts = ["text_encoder", "unet", "vae_encoder", "vae_decoder"];

let dir: string;
let python: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stochedit-optimize-"));
  [python] = await Promise.all([
    ensurePythonEnv(),
    ensureTinyModels(
      join(dir, "tiny"),
      tinyModelSpecs.filter((spec) => spec.name === "sd15-fp16"),
    ),
  ]);
}, 600_000);
afterAll(async () => {
  await closeSdModels();
  await rm(dir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;
const jsonLines = (stdout: string): Json[] =>
  stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Json);

async function optimize(src: string, dst: string, extra: string[] = []): Promise<Json[]> {
  const { stdout } = await run(python, [script, src, dst, ...extra], {
    env: { ...process.env, TQDM_DISABLE: "1" },
    maxBuffer: 16 << 20,
  });
  return jsonLines(stdout);
}

const loadGraph = async (path: string) => onnx.ModelProto.decode(await readFile(path)).graph!;

/** Bytes per element of the ONNX element types the SD graphs hold. */
const elementBytes: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.FLOAT16]: 2,
  [DataType.INT64]: 8,
  [DataType.INT32]: 4,
  [DataType.DOUBLE]: 8,
  [DataType.BOOL]: 1,
  [DataType.INT8]: 1,
  [DataType.UINT8]: 1,
};

/** Initializers whose stored data disagrees with dims x element type (checked here, independently of the script). */
function badInitializers(graph: onnxProto.onnx.IGraphProto): string[] {
  return (graph.initializer ?? []).flatMap((tensor) => {
    const count = (tensor.dims ?? []).reduce<number>((n, d) => n * Number(d), 1);
    const size = elementBytes[tensor.dataType ?? -1];
    if (size === undefined) return [`${tensor.name}: element type ${tensor.dataType} unexpected`];
    const raw = tensor.rawData?.length ?? 0;
    // Raw bytes, or one typed-field entry per element (fp16 values sit in int32_data).
    const values =
      tensor.floatData?.length ||
      tensor.int32Data?.length ||
      tensor.int64Data?.length ||
      tensor.doubleData?.length ||
      0;
    const ok = raw > 0 ? raw === count * size : values === count;
    return ok
      ? []
      : [`${tensor.name}: ${raw || values} stored for ${tensor.dims?.join("x")} of type ${tensor.dataType}`];
  });
}

/** Graph inputs (initializers left out) and outputs: name, element type and dims as the loader reads them. */
function signature(graph: onnxProto.onnx.IGraphProto) {
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  const spec = (value: onnxProto.onnx.IValueInfoProto) => ({
    name: value.name,
    type: value.type?.tensorType?.elemType,
    dims: (value.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue)),
  });
  return {
    inputs: (graph.input ?? []).filter((value) => !initializers.has(value.name ?? "")).map(spec),
    outputs: (graph.output ?? []).map(spec),
  };
}

/** A signature as --io float32 makes it: fp16 inputs and outputs become float32, names and dims stay. */
function withFloat32Io(expected: ReturnType<typeof signature>): ReturnType<typeof signature> {
  const spec = (value: ReturnType<typeof signature>["inputs"][number]) => ({
    ...value,
    type: value.type === DataType.FLOAT16 ? DataType.FLOAT : value.type,
  });
  return { inputs: expected.inputs.map(spec), outputs: expected.outputs.map(spec) };
}

const opCount = (graph: onnxProto.onnx.IGraphProto, op: string) =>
  (graph.node ?? []).filter((node) => node.opType === op).length;

describe("optimize-sd-onnx.py", () => {
  it("fuses an fp16 UNet (stochedit-mini's, as an fp16 export computes): sizes, inputs and outputs kept", async () => {
    const plain = join(dir, "mini-fp16");
    await cp(miniModelDir, plain, { recursive: true });
    await run(python, [float16Fixture, join(miniModelDir, "unet/model.onnx"), join(plain, "unet/model.onnx")]);
    const records = await optimize(plain, join(dir, "mini-fp16-fused"), ["--parts", "unet"]);
    expect(records.at(-1)).toMatchObject({ kind: "optimize_done", ok: true, parts: ["unet"] });

    const before = await loadGraph(join(plain, "unet/model.onnx"));
    const after = await loadGraph(join(dir, "mini-fp16-fused/unet/model.onnx"));
    expect(signature(before).inputs.map((input) => input.type)).toEqual([
      DataType.FLOAT16,
      DataType.FLOAT16,
      DataType.FLOAT16,
    ]);
    expect(signature(after)).toEqual(withFloat32Io(signature(before)));
    expect(signature(after).inputs.map((input) => input.type)).toEqual([
      DataType.FLOAT,
      DataType.FLOAT,
      DataType.FLOAT,
    ]);
    expect(badInitializers(after)).toEqual([]);
    // The CUDA fusions of SD 1.5's fp16 export happened (so the fp16 fixes ran): channels-last convolutions and
    // GroupNorm, whose gamma and beta ONNX Runtime declares float32 (their bytes were the case the fix is about).
    expect(opCount(before, "NhwcConv")).toBe(0);
    expect(opCount(after, "NhwcConv")).toBe(opCount(before, "Conv"));
    const groupNorms = (after.node ?? []).filter((node) => node.opType === "GroupNorm");
    expect(groupNorms.length).toBeGreaterThan(0);
    expect(opCount(after, "SkipGroupNorm")).toBeGreaterThan(0);
    const initializerTypes = new Map((after.initializer ?? []).map((tensor) => [tensor.name, tensor.dataType]));
    for (const node of groupNorms) {
      expect([initializerTypes.get(node.input![1]!), initializerTypes.get(node.input![2]!)]).toEqual([
        DataType.FLOAT,
        DataType.FLOAT,
      ]);
    }
    // Everything else was copied as it was.
    for (const file of ["model_index.json", "tokenizer/vocab.json", "text_encoder/model.onnx", "unet/config.json"]) {
      expect(await readFile(join(dir, "mini-fp16-fused", file))).toEqual(await readFile(join(plain, file)));
    }
  }, 300_000);

  it("runs on the generated tiny fp16 model, keeping its inputs and outputs (--io keep: their types too)", async () => {
    const src = join(dir, "tiny/sd15-fp16");
    for (const io of ["float32", "keep"]) {
      const dst = join(dir, `tiny-fused-${io}`);
      const records = await optimize(src, dst, ["--io", io]);
      expect(records.filter((record) => record.kind === "optimize").map((record) => [record.part, record.ok])).toEqual(
        parts.map((part) => [part, true]),
      );
      for (const part of parts) {
        const after = await loadGraph(join(dst, part, "model.onnx"));
        const before = signature(await loadGraph(join(src, part, "model.onnx")));
        expect(signature(after), `${part} ${io}`).toEqual(io === "keep" ? before : withFloat32Io(before));
        expect(badInitializers(after), part).toEqual([]);
      }
    }
  }, 300_000);

  it("--no-fuse: float32 inputs and outputs cast as the runner rounds, so an edit gives the same bytes", async () => {
    const src = join(dir, "tiny/sd15-fp16");
    const dst = join(dir, "tiny-float32-io");
    const records = await optimize(src, dst, ["--no-fuse"]);
    expect(records.at(-1)).toMatchObject({ kind: "optimize_done", ok: true, fused: false, io: "float32" });
    for (const part of parts) {
      const before = await loadGraph(join(src, part, "model.onnx"));
      const after = await loadGraph(join(dst, part, "model.onnx"));
      expect(signature(after), part).toEqual(withFloat32Io(signature(before)));
      // Only the casts were added, one per fp16 input or output: nothing fused.
      const casts = signature(before)
        .inputs.concat(signature(before).outputs)
        .filter((v) => v.type === DataType.FLOAT16);
      expect((after.node ?? []).length, part).toBe((before.node ?? []).length + casts.length);
    }

    // The graph's Cast rounds float32 to half as toFloat16Array does (nearest, ties to even; subnormals; the
    // largest finite half), seen through the UNet's output on a sample holding those values.
    const [plain, prepared] = await Promise.all(
      [src, dst].map((folder) => ort.InferenceSession.create(join(folder, "unet/model.onnx"))),
    );
    const sample = Float32Array.from({ length: 2 * 4 * 8 * 8 }, (_, i) => Math.sin(i * 12.9898) * 3);
    const edges = [1 + 2 ** -11, 1 + 3 * 2 ** -11, -(2 + 2 ** -10), 1.5 * 2 ** -24, 2.5 * 2 ** -24, 2 ** -26];
    sample.set([...edges, 65504, 65519, -65519, 0.1, -0.3, 2 ** -15 * 1.0001]);
    const hidden = Float32Array.from({ length: 2 * 77 * 32 }, (_, i) => Math.cos(i * 78.233));
    const dims = { sample: [2, 4, 8, 8], hidden: [2, 77, 32] };
    const plainOut = await plain!.run({
      sample: new ort.Tensor("float16", toFloat16Array(sample), dims.sample),
      timestep: new ort.Tensor("float16", toFloat16Array(Float32Array.of(321)), []),
      encoder_hidden_states: new ort.Tensor("float16", toFloat16Array(hidden), dims.hidden),
    });
    const preparedOut = await prepared!.run({
      sample: new ort.Tensor("float32", sample, dims.sample),
      timestep: new ort.Tensor("float32", Float32Array.of(321), []),
      encoder_hidden_states: new ort.Tensor("float32", hidden, dims.hidden),
    });
    expect(preparedOut.out_sample!.type).toBe("float32");
    expect(toFloat16Array(preparedOut.out_sample!.data as Float32Array)).toEqual(plainOut.out_sample!.data);
    await Promise.all([plain!.release(), prepared!.release()]);

    // An SDE-Drag with previews, the same seed on both folders: the same output bytes.
    const image = await pngOf(64, 64, (x, y) => [(x * 4) % 256, (y * 4) % 256, ((x + y) * 2) % 256]);
    const job: EditJob = {
      settings: {
        task: "drag",
        sampler: "sde",
        prompt: "a red ball",
        steps: 10,
        t0: 0.6,
        guidance: 3,
        points: [{ from: [20, 30], to: [36, 26] }],
        output_format: "png",
      },
      image,
      seed: 11,
    };
    const [fromExport, fromPrepared] = await Promise.all(
      [src, dst].map(async (folder) => runEdit(await loadSdModel(folder, { executionProvider: "cpu" }), job)),
    );
    expect(Buffer.from(fromPrepared!.output).equals(Buffer.from(fromExport!.output))).toBe(true);
  }, 300_000);

  it("fuses every part of stochedit-mini, and the CPU provider's fusions give the plain graphs' outputs", async () => {
    const fused = join(dir, "mini-fused");
    const records = await optimize(miniModelDir, fused);
    expect(records.at(-1)).toMatchObject({ kind: "optimize_done", ok: true });
    const { stdout } = await run(process.execPath, ["--import", "tsx", compareScript, miniModelDir, fused, "cpu"], {
      cwd: new URL("..", import.meta.url).pathname,
      maxBuffer: 16 << 20,
    });
    const compared = jsonLines(stdout);
    expect(compared.at(-1)).toMatchObject({ kind: "compare_done", ok: true, tolerance: 0.01 });
    const byPart = Object.fromEntries(compared.filter((r) => r.kind === "compare").map((r) => [r.part, r]));
    // The text encoder and the UNet got LayerNorm/SkipLayerNorm/Gelu fusions, which the CPU provider runs.
    for (const part of ["text_encoder", "unet"]) {
      expect(byPart[part]?.status, part).toBe("match");
      for (const output of byPart[part]!.outputs as { relativeL2: number }[]) {
        expect(output.relativeL2).toBeLessThan(1e-4);
      }
    }
  }, 300_000);

  it("refuses unknown parts and writing over its source", async () => {
    const src = join(dir, "tiny/sd15-fp16");
    await expect(optimize(src, join(dir, "x"), ["--parts", "unet,safety_checker"])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--parts: unknown \['safety_checker'\]/),
    });
    await expect(optimize(src, src)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/DST_DIR must differ from SRC_DIR/),
    });
  }, 60_000);
});
