/**
 * @module verify-webhook: checks a webhook as Standard Webhooks (standardwebhooks.com, v1) defines it, for app
 * backends: `webhook-signature` holds `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">`
 * signatures, space-separated; the timestamp must be recent. Needs WebCrypto (Node 20, Deno, Workers, browsers).
 */
import { WebhookVerificationError } from "./errors.js";
import { WebhookPayload } from "./schemas.js";

/** Request headers as a fetch `Headers` or a plain object (Node's `req.headers`, Express, ...). */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  /** How far the timestamp may be from now, either way (replays of old deliveries fail). Default 300 s. */
  readonly toleranceSeconds?: number;
  /** The current time, for tests. */
  readonly nowMs?: number;
}

const secretPrefix = "whsec_";
const defaultToleranceSeconds = 5 * 60;
const encoder = new TextEncoder();

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function bytesOf(payload: string | Uint8Array | ArrayBuffer): Uint8Array {
  if (typeof payload === "string") return encoder.encode(payload);
  return payload instanceof ArrayBuffer ? new Uint8Array(payload) : payload;
}

/** Equal length and equal bytes, in time that depends only on the length. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

async function hmacSha256(secret: string, content: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const keyBytes = base64ToBytes(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret);
  if (!keyBytes || keyBytes.length === 0) throw new TypeError("the webhook secret is not whsec_<base64>");
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, content));
}

/**
 * Verifies a delivery and returns its payload, checked by the schema. `payload` must be the raw body as received
 * (parsing and re-serialising JSON changes the bytes). `secret` may be several: while you switch to a rotated
 * secret, pass the new and the old one (for 24 hours after a rotation the API also signs with the old one, so
 * either alone verifies too). Throws WebhookVerificationError when anything is missing, stale or forged.
 */
export async function verifyWebhook(
  payload: string | Uint8Array | ArrayBuffer,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): Promise<WebhookPayload> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header");
  }
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError(`webhook-timestamp "${timestamp}" is not a number`);
  const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds;
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const age = nowSeconds - Number(timestamp);
  if (age > tolerance) throw new WebhookVerificationError(`the webhook is too old (${age} s; at most ${tolerance} s)`);
  if (age < -tolerance) throw new WebhookVerificationError(`the webhook's timestamp is ${-age} s in the future`);

  const body = bytesOf(payload);
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  const presented = signatures
    .split(" ")
    .map((entry) => entry.split(","))
    .filter(([version, value]) => version === "v1" && value !== undefined)
    .map(([, value]) => base64ToBytes(value!))
    .filter((bytes): bytes is Uint8Array<ArrayBuffer> => bytes !== undefined);
  const expected = await Promise.all(
    (typeof secret === "string" ? [secret] : secret).map((s) => hmacSha256(s, content)),
  );
  const matches = expected.some((mine) => presented.some((theirs) => constantTimeEqual(mine, theirs)));
  if (!matches) throw new WebhookVerificationError("no webhook-signature matches the secret");

  let json: unknown;
  try {
    json = JSON.parse(typeof payload === "string" ? payload : new TextDecoder().decode(body));
  } catch {
    throw new WebhookVerificationError("the signed body is not JSON");
  }
  const parsed = WebhookPayload.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new WebhookVerificationError(`the signed body is not a webhook payload: ${issues}`);
  }
  return parsed.data;
}
