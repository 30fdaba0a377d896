/** @module download-output: an edit's output bytes, read through a fresh presigned URL and checked by SHA-256. */
import { IntegrityError, StocheditError } from "./errors.js";
import type { Edit, EditOutput } from "./schemas.js";

export interface OutputBytes {
  readonly bytes: Uint8Array;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
  readonly sha256: string;
  /** Whether `sha256` was checked (it is wherever the runtime has WebCrypto's digest). */
  readonly verified: boolean;
}

export interface OutputSource {
  getEdit(id: string): Promise<Edit>;
  get(url: string): Promise<Response>;
}

/** A URL this close to expiring is not used: the edit is read again for a new one. */
const expiryMarginMs = 30_000;

export async function downloadOutput(source: OutputSource, target: Edit | string): Promise<OutputBytes> {
  let edit = typeof target === "string" ? await source.getEdit(target) : target;
  if (edit.output && Date.parse(edit.output.expires_at) - Date.now() < expiryMarginMs) {
    edit = await source.getEdit(edit.id);
  }
  const output: EditOutput | undefined = edit.output;
  if (!output) {
    throw new StocheditError(`edit ${edit.id} has no output (it is ${edit.status})`, { retryable: false });
  }
  const response = await source.get(output.url);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const digest = await sha256Hex(bytes);
  if (digest !== undefined && digest !== output.sha256) throw new IntegrityError(output.sha256, digest);
  return {
    bytes,
    contentType: output.content_type,
    width: output.width,
    height: output.height,
    sha256: output.sha256,
    verified: digest !== undefined,
  };
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string | undefined> {
  const subtle = (globalThis as { crypto?: { subtle?: Pick<typeof crypto.subtle, "digest"> } }).crypto?.subtle;
  if (typeof subtle?.digest !== "function") return undefined;
  const digest = new Uint8Array(await subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
