/**
 * @module upload-source: what can be uploaded (bytes, a Blob or File, or a file URI as React Native's image pickers
 * return), read into a request body with its size and image type.
 */
import { type ImageContentType, uploadLimits } from "./schemas.js";

/**
 * Bytes, a Blob (a browser File), or `{uri}`: a URI that this runtime's fetch can read, such as the `file://` or
 * `content://` URI of an image picker's asset in React Native, or a `blob:` / `data:` URL in a browser.
 */
export type UploadSource = Uint8Array | ArrayBuffer | Blob | { readonly uri: string };

export interface UploadBody {
  readonly body: Uint8Array<ArrayBuffer> | Blob;
  readonly size: number;
  readonly contentType: ImageContentType;
}

const isContentType = (type: string | undefined): type is ImageContentType =>
  (uploadLimits.contentTypes as readonly string[]).includes(type ?? "");

/** PNG, JPEG or WebP from the first bytes of the file (the API accepts these three). */
export function sniffImageType(head: Uint8Array): ImageContentType | undefined {
  const starts = (bytes: readonly number[], offset = 0) => bytes.every((b, i) => head[offset + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  return undefined;
}

/**
 * The body to PUT and its type: the one given, else the Blob's own type, else what the first bytes say. React
 * Native's Blob cannot be read back here, so a picked file without a recognisable type needs `contentType`.
 */
export async function readUploadSource(
  source: UploadSource,
  contentType: ImageContentType | undefined,
  fetchFn: typeof fetch,
): Promise<UploadBody> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    // A copy that owns its whole buffer: a view into a larger buffer would otherwise send the bytes around it.
    const bytes = new Uint8Array(source.byteLength);
    bytes.set(source instanceof ArrayBuffer ? new Uint8Array(source) : source);
    const type = contentType ?? sniffImageType(bytes);
    if (!type) throw new TypeError(noTypeMessage);
    return { body: bytes, size: bytes.byteLength, contentType: type };
  }
  const blob = isBlob(source) ? source : await readUri(source.uri, fetchFn);
  const type = contentType ?? (isContentType(blob.type) ? blob.type : await sniffBlob(blob));
  if (!type) throw new TypeError(noTypeMessage);
  return { body: blob, size: blob.size, contentType: type };
}

const noTypeMessage = `the image is not recognisably PNG, JPEG or WebP: pass contentType (one of ${uploadLimits.contentTypes.join(", ")})`;

function isBlob(source: UploadSource): source is Blob {
  return typeof Blob !== "undefined" && source instanceof Blob;
}

async function readUri(uri: string, fetchFn: typeof fetch): Promise<Blob> {
  let response: Response;
  try {
    response = await fetchFn(uri);
  } catch (error) {
    throw new TypeError(`could not read ${uri}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // file:// reads answer status 0 in some runtimes (React Native): only an explicit HTTP error is one.
  if (response.status >= 400) throw new TypeError(`could not read ${uri}: it answered ${response.status}`);
  return response.blob();
}

async function sniffBlob(blob: Blob): Promise<ImageContentType | undefined> {
  const head = blob.slice(0, 16);
  if (typeof head.arrayBuffer !== "function") return undefined;
  return sniffImageType(new Uint8Array(await head.arrayBuffer()));
}
