/** @module sync-model: copies the SD ONNX folder from an S3 prefix into STOCHEDIT_MODEL_DIR before the runner starts. */
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AwsClient } from "aws4fetch";
import { z } from "zod";

/** The environment the runner image's entrypoint passes (a trust boundary: checked, every problem named at once). */
const SyncEnv = z.object({
  STOCHEDIT_MODEL_S3_URI: z.string().regex(/^s3:\/\/[^/]+\/.+$/, "must look like s3://bucket/prefix/"),
  /** The store's base URL; objects are addressed path-style: ${endpoint}/${bucket}/${key}. */
  STOCHEDIT_MODEL_S3_ENDPOINT: z.url({ protocol: /^https?$/ }),
  STOCHEDIT_MODEL_S3_REGION: z.string().min(1).default("auto"),
  STOCHEDIT_MODEL_DIR: z.string().min(1),
  AWS_ACCESS_KEY_ID: z.string().min(1),
  AWS_SECRET_ACCESS_KEY: z.string().min(1),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
});

export interface ModelSource {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  /** Ends with "/": only keys below it are copied. */
  readonly prefix: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SyncReport {
  readonly files: number;
  readonly downloaded: number;
  readonly bytesDownloaded: number;
}

export function parseSyncEnv(env: NodeJS.ProcessEnv): { source: ModelSource; targetDir: string } {
  const parsed = SyncEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`model sync configuration is invalid: ${problems.join("; ")}`);
  }
  const v = parsed.data;
  const [, bucket = "", path = ""] = /^s3:\/\/([^/]+)\/(.*)$/.exec(v.STOCHEDIT_MODEL_S3_URI) ?? [];
  return {
    source: {
      endpoint: v.STOCHEDIT_MODEL_S3_ENDPOINT.replace(/\/+$/, ""),
      region: v.STOCHEDIT_MODEL_S3_REGION,
      bucket,
      prefix: path.endsWith("/") ? path : `${path}/`,
      accessKeyId: v.AWS_ACCESS_KEY_ID,
      secretAccessKey: v.AWS_SECRET_ACCESS_KEY,
      ...(v.AWS_SESSION_TOKEN === undefined ? {} : { sessionToken: v.AWS_SESSION_TOKEN }),
    },
    targetDir: v.STOCHEDIT_MODEL_DIR,
  };
}

/**
 * Where an object lands: its key below the prefix, inside `targetDir`. The listing comes from the network, so a
 * key that would climb out of the folder (`..`, an absolute path) is refused rather than written.
 */
export function localPathFor(targetDir: string, prefix: string, key: string): string {
  const relative = normalize(key.slice(prefix.length));
  if (relative === "." || isAbsolute(relative) || relative === ".." || relative.startsWith(`..${sep}`)) {
    throw new Error(`refusing object key ${JSON.stringify(key)}: it does not name a file below ${prefix}`);
  }
  return join(targetDir, relative);
}

const xmlEntities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const xmlText = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => xmlEntities[name] ?? "");
const xmlField = (xml: string, tag: string) => {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match?.[1] === undefined ? undefined : xmlText(match[1]);
};

/**
 * Every object below the prefix, page by page; directory markers (keys ending in "/") are left out. ListObjects v1
 * with marker paging: every S3-compatible store answers it, s3rver included (its v2 continuation tokens use DES,
 * which Node 20's OpenSSL 3 does not offer).
 */
export async function listModelObjects(
  client: AwsClient,
  source: ModelSource,
  pageSize = 1000,
): Promise<{ key: string; bytes: number }[]> {
  const objects: { key: string; bytes: number }[] = [];
  let marker: string | undefined;
  do {
    const url = new URL(`${source.endpoint}/${source.bucket}`);
    url.searchParams.set("prefix", source.prefix);
    url.searchParams.set("max-keys", String(pageSize));
    if (marker !== undefined) url.searchParams.set("marker", marker);
    const response = await client.fetch(url.toString());
    const xml = await response.text();
    if (!response.ok)
      throw new Error(`listing s3://${source.bucket}/${source.prefix} answered ${response.status}: ${xml}`);
    let lastKey: string | undefined;
    for (const [, contents = ""] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const key = xmlField(contents, "Key");
      const bytes = Number(xmlField(contents, "Size"));
      if (key === undefined || !Number.isSafeInteger(bytes)) throw new Error(`unreadable listing entry: ${contents}`);
      lastKey = key;
      if (!key.endsWith("/")) objects.push({ key, bytes });
    }
    // Without a delimiter S3 sends no NextMarker: the next page starts after the last key of this one.
    marker = xmlField(xml, "IsTruncated") === "true" ? (xmlField(xml, "NextMarker") ?? lastKey) : undefined;
  } while (marker !== undefined);
  return objects;
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (stats) => stats.size,
    () => undefined,
  );
}

/** Streams one object to `${path}.partial`, checks its length, then renames it into place (a crash leaves no torn file). */
async function downloadObject(client: AwsClient, source: ModelSource, key: string, bytes: number, path: string) {
  const encodedKey = key.split("/").map(encodeURIComponent).join("/");
  const response = await client.fetch(`${source.endpoint}/${source.bucket}/${encodedKey}`);
  if (!response.ok || response.body === null) throw new Error(`GET ${key} answered ${response.status}`);
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  await pipeline(Readable.fromWeb(response.body), createWriteStream(partial));
  const written = await sizeOf(partial);
  if (written !== bytes) {
    await rm(partial, { force: true });
    throw new Error(`GET ${key} gave ${written} bytes; the listing says ${bytes}`);
  }
  await rename(partial, path);
}

/**
 * Copies every object below the prefix into `targetDir`, `concurrency` at a time. A file already there with the
 * listed size is kept, so a pod restarted on the same volume does not download 2 GB again.
 */
export async function syncModel(
  source: ModelSource,
  targetDir: string,
  options: { concurrency?: number; pageSize?: number; log?: (line: string) => void } = {},
): Promise<SyncReport> {
  const client = new AwsClient({
    accessKeyId: source.accessKeyId,
    secretAccessKey: source.secretAccessKey,
    ...(source.sessionToken === undefined ? {} : { sessionToken: source.sessionToken }),
    service: "s3",
    region: source.region,
  });
  const objects = await listModelObjects(client, source, options.pageSize);
  if (objects.length === 0) {
    throw new Error(`no objects under s3://${source.bucket}/${source.prefix}: is STOCHEDIT_MODEL_S3_URI right?`);
  }
  const planned = objects.map((object) => ({ ...object, path: localPathFor(targetDir, source.prefix, object.key) }));
  const missing: typeof planned = [];
  for (const object of planned) {
    if ((await sizeOf(object.path)) !== object.bytes) missing.push(object);
  }
  const queue = [...missing];
  const worker = async () => {
    for (let object = queue.shift(); object !== undefined; object = queue.shift()) {
      await downloadObject(client, source, object.key, object.bytes, object.path);
      options.log?.(`downloaded ${object.key} (${object.bytes} bytes)`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return {
    files: objects.length,
    downloaded: missing.length,
    bytesDownloaded: missing.reduce((sum, object) => sum + object.bytes, 0),
  };
}
