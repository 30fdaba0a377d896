/**
 * @module inspect-edit: the checks of an edit request that need more than its schema: the webhook URL is allowed, the
 * uploads exist and are the caller's, the image's real size is within limits, the mask matches it, the drag points
 * lie inside it, and the model is served. The result prices the edit (the price depends on the image's size).
 */
import {
  type DragPair,
  type EditRequest,
  imageSizeProblem,
  type Quote,
  quote,
  retentionLimits,
  type Size,
} from "@stochedit/shared";
import type { EdgeConfig } from "../config.js";
import { readUpload, type UploadRow } from "../db/uploads.js";
import { ApiError, fieldProblem } from "../http/api-error.js";
import { probeImageSize } from "../storage/image-size.js";
import { objectUrl, s3Client } from "../storage/object-store.js";
import { ObjectMissingError, s3RangeReader } from "../storage/range-reader.js";
import { webhookUrlProblem } from "../webhooks/webhook-url-guard.js";

export interface InspectedEdit {
  size: Size;
  imageUploadId: string;
  maskUploadId: string | null;
  model: string;
  quote: Quote;
}

export async function inspectEdit(
  db: D1Database,
  config: EdgeConfig,
  accountId: string,
  request: EditRequest,
): Promise<InspectedEdit> {
  if (request.webhook_url !== undefined) {
    const problem = webhookUrlProblem(request.webhook_url, config.webhooks);
    if (problem) throw fieldProblem("webhook_url", problem);
  }
  const model = request.model ?? config.defaultModel;
  if (!config.servedModels.includes(model)) {
    throw fieldProblem("model", `model "${model}" is not served; choose one of: ${config.servedModels.join(", ")}`);
  }
  const maskId = request.task === "img2img" ? undefined : request.mask;
  const [size, maskSize] = await Promise.all([
    uploadedImageSize(db, config, accountId, "image", request.image),
    maskId === undefined ? undefined : uploadedImageSize(db, config, accountId, "mask", maskId),
  ]);
  const tooBig = imageSizeProblem(size);
  if (tooBig) throw fieldProblem("image", tooBig);
  if (maskSize && (maskSize.width !== size.width || maskSize.height !== size.height)) {
    throw fieldProblem(
      "mask",
      `the mask is ${maskSize.width}x${maskSize.height}; it must have the image's size, ${size.width}x${size.height}`,
    );
  }
  if (request.task === "drag") checkPointsInside(request.points, size);
  return { size, imageUploadId: request.image, maskUploadId: maskId ?? null, model, quote: quote(request, size) };
}

function checkPointsInside(points: readonly DragPair[], size: Size) {
  const errors = points.flatMap((pair, i) =>
    (["from", "to"] as const).flatMap((end) => {
      const [x, y] = pair[end];
      if (x < size.width && y < size.height) return [];
      const message = `[${x}, ${y}] lies outside the ${size.width}x${size.height} image (need x < ${size.width}, y < ${size.height})`;
      return [{ path: `points.${i}.${end}`, message }];
    }),
  );
  if (errors.length > 0) {
    const detail = errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    throw new ApiError("validation_failed", detail, { errors });
  }
}

/** The displayed size of an upload of this account, read from the object's header with ranged GETs. */
async function uploadedImageSize(
  db: D1Database,
  config: EdgeConfig,
  accountId: string,
  field: "image" | "mask",
  uploadId: string,
): Promise<Size> {
  const upload: UploadRow | null = await readUpload(db, accountId, uploadId);
  if (!upload) throw fieldProblem(field, `upload ${uploadId} does not exist; create one with POST /v1/uploads`);
  if (upload.purged_at !== null) {
    throw fieldProblem(
      field,
      `upload ${uploadId} was deleted (uploads are kept ${retentionLimits.uploadSeconds / 3600} hours, or until ` +
        "the edits that used them are deleted); upload the image again",
    );
  }
  const url = objectUrl(config.s3, upload.object_key);
  try {
    const probe = await probeImageSize(s3RangeReader(s3Client(config.s3), url));
    if (!probe.ok) throw fieldProblem(field, `upload ${uploadId} is not a usable image: ${probe.reason}`);
    return probe.size;
  } catch (error) {
    if (error instanceof ObjectMissingError) {
      throw fieldProblem(field, `nothing has been uploaded for ${uploadId}: PUT the file to its upload URL first`);
    }
    if (error instanceof RangeError) throw fieldProblem(field, `upload ${uploadId}: ${error.message}`);
    throw error;
  }
}
