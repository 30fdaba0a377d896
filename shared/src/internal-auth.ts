/** @module internal-auth: HMAC-SHA256 signatures of internal (runner <-> edge) requests over timestamp, method, path and body. */

export const internalAuthHeaders = { timestamp: "x-stochedit-timestamp", signature: "x-stochedit-signature" } as const;

/** Requests older or newer than this are refused, which bounds replays. */
export const internalReplayWindowSeconds = 60;

const encoder = new TextEncoder();

// Return type inferred: Node's types name the key webcrypto.CryptoKey, Workers' and the DOM's a global CryptoKey.
function hmacKey(secret: string, usage: "sign" | "verify") {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

function signedContent(timestamp: string, method: string, path: string, body: string): Uint8Array<ArrayBuffer> {
  // Copied into a fresh Uint8Array: Workers' types declare encode() as ArrayBufferLike-backed.
  return new Uint8Array(encoder.encode(`${timestamp}.${method.toUpperCase()}.${path}.${body}`));
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^([0-9a-f]{2})+$/.test(hex)) return undefined;
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

/** Headers to send with an internal request; `path` includes the query string if any. */
export async function signInternalRequest(
  secret: string,
  request: { method: string; path: string; body: string },
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<Record<string, string>> {
  const timestamp = String(nowSeconds);
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret, "sign"),
    signedContent(timestamp, request.method, request.path, request.body),
  );
  return { [internalAuthHeaders.timestamp]: timestamp, [internalAuthHeaders.signature]: `v1=${toHex(mac)}` };
}

export type InternalAuthResult = { ok: true } | { ok: false; reason: string };

/** Checks the signature (constant time, via WebCrypto's verify) and the replay window. */
export async function verifyInternalRequest(
  secret: string,
  request: { method: string; path: string; body: string; timestamp: string | null; signature: string | null },
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<InternalAuthResult> {
  if (!request.timestamp || !request.signature) return { ok: false, reason: "missing signature headers" };
  const timestamp = Number(request.timestamp);
  if (!Number.isInteger(timestamp)) return { ok: false, reason: "malformed timestamp" };
  if (Math.abs(nowSeconds - timestamp) > internalReplayWindowSeconds) {
    return { ok: false, reason: `timestamp outside the ${internalReplayWindowSeconds} s window` };
  }
  const mac = request.signature.startsWith("v1=") ? fromHex(request.signature.slice(3)) : undefined;
  if (!mac) return { ok: false, reason: "malformed signature" };
  const valid = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret, "verify"),
    mac,
    signedContent(request.timestamp, request.method, request.path, request.body),
  );
  return valid ? { ok: true } : { ok: false, reason: "signature mismatch" };
}
