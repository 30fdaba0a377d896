/** @module delete-objects: deletes every object under a key prefix (ListObjectsV2, then a DELETE each). */
import { deleteObject, type S3Config, s3Client } from "./object-store.js";

/** Deletes every object whose key starts with `prefix`; returns how many there were. */
export async function deleteObjectsUnder(s3: S3Config, prefix: string): Promise<number> {
  const keys = await listKeys(s3, prefix);
  await Promise.all(keys.map((key) => deleteObject(s3, key)));
  return keys.length;
}

async function listKeys(s3: S3Config, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const url = new URL(bucketUrl(s3));
    url.searchParams.set("list-type", "2");
    url.searchParams.set("prefix", prefix);
    if (token !== undefined) url.searchParams.set("continuation-token", token);
    const response = await s3Client(s3).fetch(url.toString());
    if (!response.ok) throw new Error(`listing ${prefix} answered ${response.status}`);
    const xml = await response.text();
    keys.push(...[...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => xmlText(m[1]!)));
    token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
      ? xmlText(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1] ?? "")
      : undefined;
  } while (token);
  return keys;
}

function bucketUrl(s3: S3Config): string {
  return s3.bucket ? `${s3.endpoint}/${encodeURIComponent(s3.bucket)}` : `${s3.endpoint}/`;
}

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
function xmlText(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => entities[name]!);
}
