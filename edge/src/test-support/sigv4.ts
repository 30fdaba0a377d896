/**
 * @module sigv4: an independent check of an S3 presigned URL's SigV4 signature (s3rver never checks signatures):
 * rebuilds the canonical request from the URL and the headers a client will send, signs it with the known secret
 * and compares. Written from the AWS SigV4 specification, sharing no code with aws4fetch.
 */
const encoder = new TextEncoder();

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

async function hmac(key: ArrayBuffer | Uint8Array, message: string): Promise<ArrayBuffer> {
  const imported = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", imported, encoder.encode(message));
}

export interface PresignedCheck {
  valid: boolean;
  signedHeaders: string[];
  expiresSeconds: number;
  credentialScope: string;
}

export async function checkPresignedUrl(
  method: string,
  presignedUrl: string,
  sentHeaders: Record<string, string>,
  secretAccessKey: string,
): Promise<PresignedCheck> {
  const url = new URL(presignedUrl);
  const query = url.searchParams;
  const signature = query.get("X-Amz-Signature") ?? "";
  const amzDate = query.get("X-Amz-Date") ?? "";
  const [, ...scopeParts] = (query.get("X-Amz-Credential") ?? "").split("/");
  const credentialScope = scopeParts.join("/");
  const signedHeaders = (query.get("X-Amz-SignedHeaders") ?? "").split(";");
  const lowerSent = Object.fromEntries(Object.entries(sentHeaders).map(([k, v]) => [k.toLowerCase(), v]));

  const canonicalQuery = [...query.entries()]
    .filter(([k]) => k !== "X-Amz-Signature")
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${name === "host" ? url.host : (lowerSent[name] ?? "").trim()}\n`)
    .join("");
  const canonicalRequest = [
    method,
    url.pathname,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(";"),
    "UNSIGNED-PAYLOAD",
  ].join("\n");
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    credentialScope,
    hex(await crypto.subtle.digest("SHA-256", encoder.encode(canonicalRequest))),
  ].join("\n");

  const [date = "", region = "", service = ""] = scopeParts;
  let key: ArrayBuffer = await hmac(encoder.encode(`AWS4${secretAccessKey}`), date);
  for (const part of [region, service, "aws4_request"]) key = await hmac(key, part);
  const expected = hex(await hmac(key, stringToSign));

  return {
    valid: expected === signature,
    signedHeaders,
    expiresSeconds: Number(query.get("X-Amz-Expires")),
    credentialScope,
  };
}
