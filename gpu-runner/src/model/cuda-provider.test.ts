import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CudaProviderMismatch,
  checkCudaProvider,
  cudaProviderFileName,
  defaultCudaProviderLibrary,
  embeddedOrtVersions,
  onnxruntimeNode,
} from "./cuda-provider.js";
import { closeSdModels, loadSdModel } from "./sd-model.js";
import { ensureTinyModels } from "./tiny/write-tiny-model.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stochedit-cuda-provider-"));
  await ensureTinyModels(join(dir, "models"));
});
afterAll(async () => {
  await closeSdModels();
  await rm(dir, { recursive: true, force: true });
});

/**
 * A stand-in for libonnxruntime_providers_cuda.so: binary noise around NUL-terminated strings, as the real library
 * holds its ORT_VERSION (the check reads the file only; it never loads it). Big enough to span several read chunks.
 */
async function fakeProvider(name: string, strings: string[], paddingBytes = 20 << 20): Promise<string> {
  const noise = Buffer.alloc(paddingBytes);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const parts = strings.flatMap((s) => [Buffer.from(`\0${s}\0`, "latin1"), noise.subarray(0, 1 << 20)]);
  const path = join(dir, name);
  await writeFile(path, Buffer.concat([noise, ...parts, noise]));
  return path;
}

describe("the CUDA provider check", () => {
  it("reads the ONNX Runtime version a real ORT library embeds (this install's libonnxruntime.so.1)", async () => {
    const { version, bindingDir } = onnxruntimeNode();
    expect(await embeddedOrtVersions(join(bindingDir, "libonnxruntime.so.1"))).toEqual([version]);
  });

  it("finds version strings anywhere in the file, also across read chunks, and ignores other libraries' versions", async () => {
    const library = await fakeProvider("versions.so", ["1.3.9", "CUDA 13.0.1", "1.29.0"], (8 << 20) - 3);
    expect(await embeddedOrtVersions(library)).toEqual(["1.29.0"]);
  });

  it("passes a provider built for the runtime's version", async () => {
    const library = await fakeProvider("match.so", ["1.3.9", "1.30.0"]);
    expect(await checkCudaProvider("1.30.0", library)).toEqual({ status: "match", library, version: "1.30.0" });
  });

  it("refuses a provider built for another version, naming both and what to do", async () => {
    const library = await fakeProvider("mismatch.so", ["1.29.0"]);
    const check = checkCudaProvider("1.30.0", library);
    await expect(check).rejects.toBeInstanceOf(CudaProviderMismatch);
    await expect(check).rejects.toThrow(
      /built for ONNX Runtime 1\.29\.0, but this process runs onnxruntime-node 1\.30\.0.*pin onnxruntime-node to 1\.29\.0/,
    );
  });

  it("says absent when there is no provider library, and unknown when it names no version", async () => {
    const missing = join(dir, cudaProviderFileName);
    expect(await checkCudaProvider("1.30.0", missing)).toEqual({ status: "absent", library: missing });
    const library = await fakeProvider("unknown.so", ["1.3.9"]);
    expect(await checkCudaProvider("1.30.0", library)).toEqual({ status: "unknown", library });
  });

  it("looks beside onnxruntime-node's binding, where this repository installs no provider", () => {
    expect(defaultCudaProviderLibrary()).toBe(join(onnxruntimeNode().bindingDir, cudaProviderFileName));
    expect(existsSync(defaultCudaProviderLibrary())).toBe(false);
  });
});

describe("loading a model on CUDA", () => {
  it("stops before any session when the provider is of another ONNX Runtime version", async () => {
    const { version } = onnxruntimeNode();
    const library = await fakeProvider("other-version.so", ["1.28.1"]);
    const lines: string[] = [];
    const loading = loadSdModel(join(dir, "models/sd15-fp16"), {
      executionProvider: "cuda",
      cudaProviderLibrary: library,
      log: (line) => lines.push(line),
    });
    await expect(loading).rejects.toThrow(
      new RegExp(`built for ONNX Runtime 1\\.28\\.1, but this process runs onnxruntime-node ${version}`),
    );
    expect(lines.filter((line) => line.startsWith("session "))).toEqual([]);
  });

  it("logs the provider check and which provider each session runs on", async () => {
    const { version } = onnxruntimeNode();
    const library = await fakeProvider("same-version.so", [version]);
    const lines: string[] = [];
    const model = await loadSdModel(join(dir, "models/sd15-fp32"), {
      executionProvider: "cuda",
      cudaProviderLibrary: library,
      log: (line) => lines.push(line),
    });
    // The fake provider passes the check; the sessions then meet this machine's missing CUDA and fall back. Chosen
    // for CUDA, the runner's own thread would run them; on the CPU they move to a worker thread (the text encoder,
    // loaded first, again).
    expect(lines[0]).toBe(`CUDA provider ${library} is built for ONNX Runtime ${version}, as onnxruntime-node is`);
    expect(lines.filter((line) => line.startsWith("session ")).map((line) => line.split(" (")[0])).toEqual([
      "session text_encoder runs on cpu",
      "session text_encoder runs on cpu",
      "session unet runs on cpu",
      "session vae_encoder runs on cpu",
      "session vae_decoder runs on cpu",
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^CUDA was asked for but is not available/));
    expect(lines).toContain("the sessions run in a worker thread instead, as on a CPU runner");
    expect(model.executionProvider).toBe("cpu");
    expect(model.sessionThread).toBe("worker");
  });
});
