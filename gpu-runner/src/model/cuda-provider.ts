/**
 * @module cuda-provider: whether the CUDA provider library beside onnxruntime-node was built for the same ONNX
 * Runtime version (it must match exactly: a 1.29.0 provider loaded into 1.30.0 is undefined behaviour, not an error).
 */
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The onnxruntime-node package this process loads: its version and the folder its native binding lives in. */
export function onnxruntimeNode(): { version: string; bindingDir: string } {
  const manifest = require.resolve("onnxruntime-node/package.json");
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  // ONNX Runtime loads libonnxruntime_providers_cuda.so from the folder of libonnxruntime.so.1, beside the binding.
  return { version, bindingDir: join(dirname(manifest), "bin/napi-v6", process.platform, process.arch) };
}

export const cudaProviderFileName = "libonnxruntime_providers_cuda.so";

/** The CUDA provider library ONNX Runtime would load for this process's onnxruntime-node. */
export function defaultCudaProviderLibrary(): string {
  return join(onnxruntimeNode().bindingDir, cudaProviderFileName);
}

export class CudaProviderMismatch extends Error {
  override readonly name = "CudaProviderMismatch";
}

/** The runner's exit code for it (2: bad configuration, 3: GPU required but unavailable). */
export const cudaProviderMismatchExitCode = 4;

export type CudaProviderCheck =
  | { readonly status: "match"; readonly library: string; readonly version: string }
  | { readonly status: "absent"; readonly library: string }
  | { readonly status: "unknown"; readonly library: string };

/**
 * Every CUDA provider build embeds its ONNX Runtime version as a NUL-terminated string (ORT_VERSION, the value its
 * TunableOp results validator compares; e.g. "1.29.0" in com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9's
 * library). Returns every such "major.minor.patch" string with minor >= 10 (which leaves out third-party versions
 * such as CUTLASS's "1.3.9"), read in chunks.
 */
export async function embeddedOrtVersions(library: string): Promise<string[]> {
  const found = new Set<string>();
  const pattern = /\0(1\.[1-9]\d\.\d{1,3})\0/g;
  let carry = "";
  for await (const chunk of createReadStream(library, { highWaterMark: 8 << 20 })) {
    const text = carry + (chunk as Buffer).toString("latin1");
    for (const match of text.matchAll(pattern)) found.add(match[1]!);
    // A version string may straddle two chunks: keep the tail (longer than any match) for the next one.
    carry = text.slice(-16);
  }
  return [...found].sort();
}

/**
 * Compares the CUDA provider library with the runtime's version. Absent: nothing to check (the sessions fall back
 * to the CPU, with their own log line). Unknown: no version string found. Throws CudaProviderMismatch when the
 * library names other versions and not the runtime's.
 */
export async function checkCudaProvider(
  runtimeVersion: string,
  library: string = defaultCudaProviderLibrary(),
): Promise<CudaProviderCheck> {
  if (!existsSync(library)) return { status: "absent", library };
  const versions = await embeddedOrtVersions(library);
  if (versions.includes(runtimeVersion)) return { status: "match", library, version: runtimeVersion };
  if (versions.length === 0) return { status: "unknown", library };
  throw new CudaProviderMismatch(
    `the CUDA provider library ${library} was built for ONNX Runtime ${versions.join(" or ")}, but this process ` +
      `runs onnxruntime-node ${runtimeVersion}: a provider works only with the exact version it was built for. ` +
      `Install the provider of ONNX Runtime ${runtimeVersion} (the Dockerfile's install step does), or pin ` +
      `onnxruntime-node to ${versions[0]}.`,
  );
}
