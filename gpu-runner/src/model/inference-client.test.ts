import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobFailure } from "../job-failure.js";
import { fromFloat16Array, toFloat16Array } from "./float16.js";
import { InThreadInferenceClient } from "./in-thread-inference-client.js";
import type { InferenceClient } from "./inference-client.js";
import { emptyFloatTensor } from "./tensor-io.js";
import { OnnxGraph } from "./tiny/onnx-graph.js";
import { seededWeights } from "./tiny/seeded-weights.js";
import { WorkerInferenceClient } from "./worker-inference-client.js";

/** x [n, n] -> y = tanh(...tanh(x W) W ...): a model whose run takes long enough for timers to come due. */
function slowModel(size: number, layers: number): Uint8Array {
  const g = new OnnxGraph("slow");
  let x = g.input("x", "float32", [size, size]);
  const weight = g.floats(seededWeights(7)(size * size, 1 / Math.sqrt(size)), [size, size]);
  for (let i = 0; i < layers; i++) x = g.node("Tanh", [g.node("MatMul", [x, weight])]);
  g.node("Identity", [x], {}, "y");
  g.output("y", "float32", [size, size]);
  return g.build();
}

function addOneHalfModel(): Uint8Array {
  const g = new OnnxGraph("add_one");
  const x = g.input("x", "float16", ["n"]);
  const sum = g.node("Add", [g.cast(x, "float32"), g.floats(Float32Array.of(1), [1])]);
  g.node("Cast", [sum], { to: 10 }, "y");
  g.output("y", "float16", ["n"]);
  return g.build();
}

describe.each([
  ["WorkerInferenceClient (sessions in a worker thread)", () => new WorkerInferenceClient()],
  ["InThreadInferenceClient (sessions on the caller's thread)", () => new InThreadInferenceClient()],
] as const)("%s", (_, newClient: () => InferenceClient) => {
  let dir: string;
  const client = newClient();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "stochedit-worker-"));
    await writeFile(join(dir, "add-one.onnx"), addOneHalfModel());
    await writeFile(join(dir, "broken.onnx"), "not an onnx model");
  });
  afterAll(async () => {
    await client.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the signature and runs fp16 tensors as half bits", async () => {
    const loaded = await client.load("add-one", join(dir, "add-one.onnx"), { executionProvider: "cpu" });
    expect(loaded.executionProvider).toBe("cpu");
    expect(loaded.signature.inputs).toEqual([{ name: "x", type: "float16", shape: ["n"] }]);
    const outputs = await client.run("add-one", {
      x: { type: "float16", dims: [3], data: toFloat16Array(Float32Array.of(0.5, -3, 100)) },
    });
    expect(outputs.y?.type).toBe("float16");
    expect(Array.from(fromFloat16Array(outputs.y?.data as Uint16Array))).toEqual([1.5, -2, 101]);
    expect(client.timings.get("add-one")?.calls).toBe(1);
  });

  it("runs feeds into outputs given, the same buffers call after call, and requests in flight in order", async () => {
    await client.load("add-one", join(dir, "add-one.onnx"), { executionProvider: "cpu" });
    const spec = { name: "x", type: "float16", shape: ["n"] };
    const buffers = () => ({
      x: emptyFloatTensor([3], spec, { shared: client.sharedBuffers }),
      y: emptyFloatTensor([3], spec, { shared: client.sharedBuffers }),
    });
    const run = async (io: ReturnType<typeof buffers>, values: number[]) => {
      toFloat16Array(Float32Array.from(values), io.x.data as Uint16Array);
      const outputs = await client.run("add-one", { x: io.x }, { outputsInto: { y: io.y } });
      expect(outputs.y).toBe(io.y);
      return Array.from(fromFloat16Array(io.y.data as Uint16Array));
    };
    const first = buffers();
    expect(await run(first, [0.5, -3, 100])).toEqual([1.5, -2, 101]);
    expect(await run(first, [2, 4, 8])).toEqual([3, 5, 9]);
    // Two runs in flight at once: each one's feed is read (a worker copies it into the tensor it keeps) only when its
    // turn comes.
    const second = buffers();
    const both = await Promise.all([run(first, [1, 2, 3]), run(second, [10, 20, 30])]);
    expect(both).toEqual([
      [2, 3, 4],
      [11, 21, 31],
    ]);
  });

  it("keeps a constant feed's tensor, and makes it again once the worker has dropped it", async () => {
    await client.load("add-one", join(dir, "add-one.onnx"), { executionProvider: "cpu" });
    const constant = (value: number) =>
      client.constant({ type: "float16", dims: [1], data: toFloat16Array(Float32Array.of(value)) });
    const sum = async (x: ReturnType<typeof constant>) =>
      fromFloat16Array((await client.run("add-one", { x })).y?.data as Uint16Array)[0];
    const kept = constant(4);
    expect(kept.data.buffer instanceof SharedArrayBuffer).toBe(client.sharedBuffers);
    expect(await sum(kept)).toBe(5);
    expect(await sum(kept)).toBe(5);
    // More constants than the session thread keeps: the first one's tensor is dropped, and made again from its data.
    for (let value = 0; value < 20; value++) expect(await sum(constant(value))).toBe(value + 1);
    expect(await sum(kept)).toBe(5);
  });

  it("fails the run with a model_error when an output does not fit the buffer given for it", async () => {
    await client.load("add-one", join(dir, "add-one.onnx"), { executionProvider: "cpu" });
    const spec = { name: "x", type: "float16", shape: ["n"] };
    const running = client.run(
      "add-one",
      { x: { type: "float16", dims: [3], data: toFloat16Array(Float32Array.of(1, 2, 3)) } },
      { outputsInto: { y: emptyFloatTensor([2], spec, { shared: client.sharedBuffers }) } },
    );
    await expect(running).rejects.toMatchObject({
      code: "model_error",
      message: "add-one output y returned 3 float16 values where 2 float16 were expected",
    });
  });

  it("turns a model that cannot load into a model_error", async () => {
    const loading = client.load("broken", join(dir, "broken.onnx"), { executionProvider: "cpu" });
    await expect(loading).rejects.toBeInstanceOf(JobFailure);
    await expect(loading).rejects.toMatchObject({ code: "model_error" });
  });

  // This repository never installs onnxruntime-node's CUDA provider libraries (package.json's allowScripts denies
  // the install script that fetches them), so asking for CUDA here always meets the missing-library failure that a
  // GPU image without them would meet.
  it("falls back to the CPU with the reason when CUDA is asked for but missing", async () => {
    const loaded = await client.load("cuda", join(dir, "add-one.onnx"), { executionProvider: "cuda" });
    expect(loaded.executionProvider).toBe("cpu");
    expect(loaded.fallbackReason).toMatch(/cuda/i);
  });
});

describe("WorkerInferenceClient", () => {
  let dir: string;
  const worker = new WorkerInferenceClient();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "stochedit-worker-"));
    await writeFile(join(dir, "slow.onnx"), slowModel(384, 24));
  });
  afterAll(async () => {
    await worker.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the event loop free: a timer fires while a long run is in flight", async () => {
    await worker.load("slow", join(dir, "slow.onnx"), { executionProvider: "cpu", intraOpThreads: 1 });
    const x = seededWeights(3)(384 * 384, 1);
    const run = worker.run("slow", { x: { type: "float32", dims: [384, 384], data: x } });
    const timer = new Promise<"timer">((resolve) => setTimeout(() => resolve("timer"), 0));
    const first = await Promise.race([run.then(() => "run" as const), timer]);
    expect(first).toBe("timer");
    const outputs = await run;
    expect(outputs.y?.dims).toEqual([384, 384]);
    // The caller's array was copied, not transferred away.
    expect(x.length).toBe(384 * 384);
  });
});
