/** @module claimed-job: ClaimedJob bodies for the runner's tests, shaped and checked by the shared protocol schema. */
import { randomBytes } from "node:crypto";
import { ClaimedJob, type EditRequestInput, type Size } from "@stochedit/shared";
import sharp from "sharp";
import type { LocalS3 } from "./local-s3.js";

const alnum = (length: number) =>
  Array.from(
    randomBytes(length),
    (byte) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[byte % 62],
  ).join("");

export const newUploadId = () => `up_${alnum(20)}`;
export const newEditId = () => `ed_${alnum(20)}`;

/** Omit applied to each member of a union (plain Omit would merge the tasks' variants into one). */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface JobSpec {
  /** The edit as a client writes it, without the upload ids (they are made up here). */
  readonly request: OmitEach<EditRequestInput, "image" | "mask">;
  /** Object keys in the local S3: the image must exist for the job to succeed, the mask when given. */
  readonly imageKey: string;
  readonly maskKey?: string;
  /** The size the edge priced; by default the stored image's own. */
  readonly pricedSize?: Size;
  readonly leaseTtlMs?: number;
  readonly seed?: number;
  readonly model?: string;
}

/** A job as the edge's claim answer carries it, with presigned URLs into `s3`. */
export async function claimedJob(s3: LocalS3, spec: JobSpec): Promise<ClaimedJob> {
  const id = newEditId();
  const format = spec.request.output_format ?? "png";
  const outputKey = `outputs/${id}.${format}`;
  const outputHeaders = { "content-type": format === "jpeg" ? "image/jpeg" : `image/${format}` };
  const ttlMs = spec.leaseTtlMs ?? 30_000;
  return ClaimedJob.parse({
    id,
    attempt: 1,
    lease: { id: `lease_${alnum(24)}`, expires_at: new Date(Date.now() + ttlMs).toISOString(), ttl_ms: ttlMs },
    request: { ...spec.request, image: newUploadId(), ...(spec.maskKey && { mask: newUploadId() }) },
    seed: spec.seed ?? 7,
    model: spec.model ?? "stochedit-mini",
    image: {
      url: await s3.presign("GET", spec.imageKey),
      ...(spec.pricedSize ?? (await storedSize(s3, spec.imageKey))),
    },
    ...(spec.maskKey && { mask: { url: await s3.presign("GET", spec.maskKey) } }),
    output: { url: await s3.presign("PUT", outputKey, outputHeaders), headers: outputHeaders, key: outputKey, format },
  });
}

/** The oriented size of a stored image, as the edge would have priced it; 64x64 for one that is missing or not an image. */
async function storedSize(s3: LocalS3, key: string): Promise<Size> {
  const stored = await s3.get(key);
  const metadata =
    stored &&
    (await sharp(stored.bytes)
      .metadata()
      .catch(() => undefined));
  return { width: metadata?.autoOrient.width ?? 64, height: metadata?.autoOrient.height ?? 64 };
}
