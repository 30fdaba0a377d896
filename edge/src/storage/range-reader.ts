/** @module range-reader: reads byte ranges of an object with ranged GETs, in cached 64 KiB chunks. */
import type { AwsClient } from "aws4fetch";
import { retryTransient, StorageUnavailableError } from "./transient-errors.js";

/** Reads up to `length` bytes at `offset`; fewer at the end of the object. */
export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>;

export class ObjectMissingError extends Error {
  constructor(readonly url: string) {
    super(`no object at ${url}`);
    this.name = "ObjectMissingError";
  }
}

/** The first GET's bytes: every PNG and WebP header, and a JPEG's size unless large metadata comes before it. */
export const headBytes = 4 * 1024;
/** Each later GET's bytes. */
export const rangeChunkBytes = 64 * 1024;

/** Chunk 0 is the head, [0, headBytes); chunk i > 0 is [headBytes + (i - 1) 64 KiB, ... + 64 KiB). */
const chunkStart = (index: number) => (index === 0 ? 0 : headBytes + (index - 1) * rangeChunkBytes);
const chunkLength = (index: number) => (index === 0 ? headBytes : rangeChunkBytes);
const chunkAt = (offset: number) => (offset < headBytes ? 0 : 1 + Math.floor((offset - headBytes) / rangeChunkBytes));

/**
 * A ByteReader over one S3 object. Headers sit at the start of an image, so most reads cost one small GET (a quote's
 * whole storage read: 4 KiB, not the 64 KiB a chunk would be); a JPEG whose size marker lies behind a large EXIF or
 * ICC block costs one more per chunk skipped into, up to `maxChunks`.
 */
export function s3RangeReader(client: AwsClient, url: string, maxChunks = 32): ByteReader {
  const chunks = new Map<number, Promise<Uint8Array>>();

  const chunk = (index: number): Promise<Uint8Array> => {
    let pending = chunks.get(index);
    if (!pending) {
      if (chunks.size >= maxChunks) {
        throw new RangeError(`read more than ${chunkStart(maxChunks)} bytes of ${url} looking for its header`);
      }
      // A ranged GET is safe to repeat: a dropped connection or a 5xx is tried again before the edit fails.
      pending = retryTransient(() => fetchChunk(client, url, index));
      chunks.set(index, pending);
    }
    return pending;
  };

  return async (offset, length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const at = offset + filled;
      const index = chunkAt(at);
      const bytes = await chunk(index);
      const start = at - chunkStart(index);
      if (start >= bytes.length) break;
      const piece = bytes.subarray(start, Math.min(bytes.length, start + length - filled));
      out.set(piece, filled);
      filled += piece.length;
      if (bytes.length < chunkLength(index)) break;
    }
    return out.subarray(0, filled);
  };
}

async function fetchChunk(client: AwsClient, url: string, index: number): Promise<Uint8Array> {
  const [first, length] = [chunkStart(index), chunkLength(index)];
  const response = await client.fetch(url, { headers: { range: `bytes=${first}-${first + length - 1}` } });
  if (response.status === 404) throw new ObjectMissingError(url);
  // 416: the range starts past the end of the object.
  if (response.status === 416) return new Uint8Array(0);
  if (response.status >= 500 || response.status === 429) {
    throw new StorageUnavailableError(`GET ${url} (range ${first}) answered ${response.status}`);
  }
  if (response.status !== 206 && response.status !== 200) {
    throw new Error(`GET ${url} (range ${first}) answered ${response.status}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  // A server that ignores Range sends the whole object from byte 0.
  return response.status === 200 ? bytes.subarray(first, first + length) : bytes;
}
