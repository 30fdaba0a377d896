/** @module object-transfer: the job's inputs from presigned GET URLs (size-capped) and its output to the presigned PUT. */
import { JobFailure } from "../job-failure.js";

export type InputRole = "image" | "mask";

export interface DownloadOptions {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * GETs an input. Missing (404) is the user's mistake (`image_missing`, `mask_missing`); an object over
 * `maxBytes` is refused from its Content-Length, or while streaming when the store sends none, before it is
 * held in memory; a store that fails or cannot be reached is retryable (`internal`).
 */
export async function downloadObject(url: string, role: InputRole, options: DownloadOptions): Promise<Uint8Array> {
  const response = await storageFetch(url, { method: "GET" }, options, `download the ${role}`);
  if (response.status === 404) {
    await response.body?.cancel();
    throw new JobFailure(role === "image" ? "image_missing" : "mask_missing");
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new JobFailure("internal", `the ${role} download answered HTTP ${response.status}`);
  }
  const tooLarge = (bytes: number) =>
    new JobFailure(
      role === "image" ? "image_too_large" : "mask_invalid",
      `the ${role} is ${bytes} bytes; at most ${options.maxBytes} are allowed`,
    );
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw tooLarge(declared);
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of response.body ?? []) {
    received += chunk.byteLength;
    if (received > options.maxBytes) throw tooLarge(received);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, received));
}

export interface UploadTarget {
  readonly url: string;
  /** Part of the signature: sent exactly as given. */
  readonly headers: Readonly<Record<string, string>>;
}

/** PUTs the output with the presigned headers. Any failure is `output_upload_failed` (retryable). */
export async function uploadObject(
  target: UploadTarget,
  bytes: Uint8Array,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<void> {
  const response = await storageFetch(
    target.url,
    { method: "PUT", headers: { ...target.headers }, body: bytes },
    options,
    "upload the output",
  ).catch((error: unknown) => {
    if (error instanceof JobFailure) throw new JobFailure("output_upload_failed", error.message);
    throw error;
  });
  if (!response.ok) {
    const detail = (await response.text().catch(() => "")).slice(0, 300);
    throw new JobFailure("output_upload_failed", `the output upload answered HTTP ${response.status} ${detail}`.trim());
  }
  await response.body?.cancel();
}

async function storageFetch(
  url: string,
  init: RequestInit,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
  what: string,
): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    return await fetch(url, { ...init, signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout });
  } catch (error) {
    // The job's own abort (cancel, lost lease, shutdown) is not a storage failure: let the caller see it as such.
    if (options.signal?.aborted) throw options.signal.reason;
    const reason = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : (error as Error).message;
    throw new JobFailure("internal", `could not ${what}: ${reason}`);
  }
}
