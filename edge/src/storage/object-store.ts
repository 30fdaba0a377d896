/** @module object-store: where objects live in the S3-compatible store and how requests to it are signed. */
import type { OutputFormat } from "@stochedit/shared";
import { AwsClient, AwsV4Signer } from "aws4fetch";
import type { EdgeConfig } from "../config.js";

export type S3Config = EdgeConfig["s3"];

/** Every object of an account sits under its own prefix: accounts/<account>/uploads/<upload id>. */
export function uploadObjectKey(accountId: string, uploadId: string): string {
  return `accounts/${accountId}/uploads/${uploadId}`;
}

/**
 * An edit's own copy of an input upload: accounts/<account>/edits/<edit id>/image (or /mask). No presigned URL
 * writes here, so the copy stays the object the edit was priced from until it has run.
 */
export function editInputKey(accountId: string, editId: string, field: "image" | "mask"): string {
  return `${editInputPrefix(accountId, editId)}${field}`;
}

/** An edit's own copies of its inputs lie under this prefix. */
export function editInputPrefix(accountId: string, editId: string): string {
  return `accounts/${accountId}/edits/${editId}/`;
}

/**
 * A result: accounts/<account>/outputs/<edit id>/<lease id>.<ext>. One key per claim, so a runner that lost its lease
 * and uploads late cannot overwrite the output of the runner that completed the edit.
 */
export function outputObjectKey(accountId: string, editId: string, leaseId: string, format: OutputFormat): string {
  return `${outputObjectPrefix(accountId, editId)}${leaseId}.${outputExtensions[format]}`;
}

/** Every output object of an edit (one per claim) lies under this prefix. */
export function outputObjectPrefix(accountId: string, editId: string): string {
  return `accounts/${accountId}/outputs/${editId}/`;
}

export const outputContentTypes: Record<OutputFormat, string> = {
  png: "image/png",
  webp: "image/webp",
  jpeg: "image/jpeg",
};
const outputExtensions: Record<OutputFormat, string> = { png: "png", webp: "webp", jpeg: "jpg" };

/** The size of a stored object, or null when there is none. */
export async function storedObjectBytes(s3: S3Config, key: string): Promise<number | null> {
  const url = objectUrl(s3, key);
  const response = await s3Client(s3).fetch(url, { method: "HEAD" });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`HEAD ${url} answered ${response.status}`);
  return Number(response.headers.get("content-length"));
}

/**
 * Copies an object inside the bucket (S3 CopyObject: the store copies, no bytes pass through the worker, and the copy
 * is of one whole version of the source). False when the source does not exist.
 */
export async function copyObject(s3: S3Config, fromKey: string, toKey: string): Promise<boolean> {
  const url = objectUrl(s3, toKey);
  const response = await s3Client(s3).fetch(url, {
    method: "PUT",
    headers: { "x-amz-copy-source": `/${encodeURIComponent(bucketName(s3))}/${encodedKey(fromKey)}` },
  });
  const body = await response.text();
  if (response.status === 404) return false;
  // S3 may answer 200 and report a failure in the body when the copy fails after it started.
  if (!response.ok || !body.includes("CopyObjectResult")) {
    throw new Error(`copying ${fromKey} to ${toKey} answered ${response.status}: ${body.slice(0, 200)}`);
  }
  return true;
}

/** Deletes an object; deleting one that is not there succeeds too (S3 answers 204 either way). */
export async function deleteObject(s3: S3Config, key: string): Promise<void> {
  const url = objectUrl(s3, key);
  const response = await s3Client(s3).fetch(url, { method: "DELETE" });
  await response.body?.cancel();
  if (!response.ok && response.status !== 404) throw new Error(`DELETE ${url} answered ${response.status}`);
}

/**
 * The bucket's name: S3_BUCKET, or with an empty one (a virtual-hosted endpoint such as
 * https://<bucket>.s3.<region>.amazonaws.com or https://<bucket>.<account>.r2.cloudflarestorage.com) the first label
 * of the endpoint's host. CopyObject names its source by bucket and key.
 */
function bucketName(s3: S3Config): string {
  return s3.bucket || (new URL(s3.endpoint).hostname.split(".")[0] ?? "");
}

function encodedKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

/** Path-style URL of an object; with an empty bucket the endpoint is the bucket's own (virtual-hosted) URL. */
export function objectUrl(s3: S3Config, key: string): string {
  const path = encodedKey(key);
  return s3.bucket ? `${s3.endpoint}/${encodeURIComponent(s3.bucket)}/${path}` : `${s3.endpoint}/${path}`;
}

/**
 * SigV4 signing keys by secret, day, region and service (aws4fetch's own cache key), shared by every client: a key
 * costs four HMACs to derive, and a client made per request would derive it for every request.
 */
const signingKeys = new Map<string, ArrayBuffer>();

export function s3Client(s3: S3Config): AwsClient {
  // One entry per credential and day: a long-lived isolate drops the old days' keys now and then.
  if (signingKeys.size > 16) signingKeys.clear();
  // Few retries: a request in flight at the edge should fail fast rather than wait through ten backoffs.
  return new AwsClient({
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    service: "s3",
    region: s3.region,
    retries: 1,
    cache: signingKeys,
  });
}

export interface PresignedRequest {
  url: string;
  /** Headers the request must carry exactly as given: they are part of the signature. */
  headers: Record<string, string>;
  expiresAtMs: number;
}

/**
 * A query-signed (presigned) URL. Every header given is signed (`allHeaders`), content-type and content-length
 * included, which aws4fetch would otherwise leave out: S3 then refuses a PUT of another type or size.
 */
export async function presign(
  s3: S3Config,
  request: { method: "GET" | "PUT"; key: string; headers: Record<string, string>; ttlSeconds: number; nowMs: number },
): Promise<PresignedRequest> {
  const url = new URL(objectUrl(s3, request.key));
  url.searchParams.set("X-Amz-Expires", String(request.ttlSeconds));
  const signer = new AwsV4Signer({
    method: request.method,
    url: url.toString(),
    headers: request.headers,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    service: "s3",
    region: s3.region,
    datetime: amzDate(request.nowMs),
    signQuery: true,
    allHeaders: true,
    cache: signingKeys,
  });
  const signed = await signer.sign();
  return {
    url: signed.url.toString(),
    headers: request.headers,
    expiresAtMs: request.nowMs + request.ttlSeconds * 1000,
  };
}

/** SigV4's timestamp, 20260424T101500Z. */
export function amzDate(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/[:-]|\.\d{3}/g, "");
}
