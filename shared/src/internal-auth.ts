/**
 * @module internal-auth: HMAC-SHA256 signatures of internal (runner <-> edge) requests over timestamp, nonce, method,
 * path and body. The timestamp bounds a replay to the window; the verifier must also refuse a nonce it has seen.
 */

export const internalAuthHeaders = {
  timestamp: "x-stochedit-timestamp",
  nonce: "x-stochedit-nonce",
  signature: "x-stochedit-signature",
} as const;

/** Requests older or newer than this are refused; within it, the verifier accepts each nonce once. */
export const internalReplayWindowSeconds = 60;

/** 16 random bytes as lowercase hex: a new one for every request, retries included. */
const noncePattern = /^[0-9a-f]{32}$/;

const encoder = new TextEncoder();

// Return type inferred: Node's types name the key webcrypto.CryptoKey, Workers' and the DOM's a global CryptoKey.
function hmacKey(secret: string, usage: "sign" | "verify") {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

interface SignedFields {
  timestamp: string;
  nonce: string;
  method: string;
  path: string;
  body: string;
}

function signedContent(fields: SignedFields): Uint8Array<ArrayBuffer> {
  const { timestamp, nonce, method, path, body } = fields;
  // Copied into a fresh Uint8Array: Workers' types declare encode() as ArrayBufferLike-backed.
  return new Uint8Array(encoder.encode(`${timestamp}.${nonce}.${method.toUpperCase()}.${path}.${body}`));
}

function toHex(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^([0-9a-f]{2})+$/.test(hex)) return undefined;
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

export function newInternalNonce(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

/** Headers to send with an internal request; `path` includes the query string if any. */
export async function signInternalRequest(
  secret: string,
  request: { method: string; path: string; body: string },
  nowSeconds = Math.floor(Date.now() / 1000),
  nonce = newInternalNonce(),
): Promise<Record<string, string>> {
  const timestamp = String(nowSeconds);
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret, "sign"),
    signedContent({ ...request, timestamp, nonce }),
  );
  return {
    [internalAuthHeaders.timestamp]: timestamp,
    [internalAuthHeaders.nonce]: nonce,
    [internalAuthHeaders.signature]: `v2=${toHex(mac)}`,
  };
}

/**
 * A valid signature names its nonce and the moment its timestamp leaves the window (from then on a request with it is
 * refused as stale): the verifier must remember the nonce until then and refuse it if it comes again.
 */
export type InternalAuthResult = { ok: true; nonce: string; staleAtMs: number } | { ok: false; reason: string };

/** Checks the signature (constant time, via WebCrypto's verify) and the window; the nonce's first use is the caller's. */
export async function verifyInternalRequest(
  secret: string,
  request: {
    method: string;
    path: string;
    body: string;
    timestamp: string | null;
    nonce: string | null;
    signature: string | null;
  },
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<InternalAuthResult> {
  const { timestamp, nonce, signature } = request;
  if (!timestamp || !signature) return { ok: false, reason: "missing signature headers" };
  if (signature.startsWith("v1=")) {
    return { ok: false, reason: "v1 signatures carry no nonce and are no longer accepted; update the runner" };
  }
  if (!nonce) return { ok: false, reason: `missing ${internalAuthHeaders.nonce} header` };
  if (!noncePattern.test(nonce)) return { ok: false, reason: "malformed nonce (32 lowercase hex digits expected)" };
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) return { ok: false, reason: "malformed timestamp" };
  if (Math.abs(nowSeconds - seconds) > internalReplayWindowSeconds) {
    return { ok: false, reason: `timestamp outside the ${internalReplayWindowSeconds} s window` };
  }
  const mac = signature.startsWith("v2=") ? fromHex(signature.slice(3)) : undefined;
  if (!mac) return { ok: false, reason: "malformed signature" };
  const valid = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret, "verify"),
    mac,
    signedContent({ timestamp, nonce, method: request.method, path: request.path, body: request.body }),
  );
  if (!valid) return { ok: false, reason: "signature mismatch" };
  // Accepted while the current whole second is at most `seconds + window`: stale from the start of the next one.
  return { ok: true, nonce, staleAtMs: (seconds + internalReplayWindowSeconds + 1) * 1000 };
}
