/**
 * @module inspect-edit: the checks of an edit request that need more than its schema: the webhook URL is allowed, the
 * model is served, the input objects exist, the image's real size is within limits, the mask matches it, and the drag
 * points lie inside it. The result prices the edit (the price depends on the image's size).
 */
import {
  type DragPair,
  type EditRequest,
  imageSizeProblem,
  pointInside,
  type Quote,
  quote,
  type Size,
} from "@stochedit/shared";
import type { EdgeConfig } from "../config.js";
import type { DataScope } from "../db/data-scope.js";
import { ApiError, fieldProblem } from "../http/api-error.js";
import { probeImageSize } from "../storage/image-size.js";
import { objectUrl, s3Client } from "../storage/object-store.js";
import { ObjectMissingError, s3RangeReader } from "../storage/range-reader.js";
import { webhookUrlProblem } from "../webhooks/webhook-url-guard.js";
import { type EditInput, type EditInputs, nothingUploaded } from "./edit-inputs.js";

export interface InspectedEdit {
  size: Size;
  quote: Quote;
}

/**
 * The settings checked before any object is read or copied; returns the model the edit runs on. A test-mode request
 * is checked as a live one, and then runs on the test model.
 */
export function checkEditSettings(
  config: EdgeConfig,
  scope: Pick<DataScope, "livemode">,
  request: EditRequest,
): string {
  if (request.webhook_url !== undefined) {
    const problem = webhookUrlProblem(request.webhook_url, config.webhooks);
    if (problem) throw fieldProblem("webhook_url", problem);
  }
  const model = request.model ?? config.defaultModel;
  if (!config.servedModels.includes(model)) {
    throw fieldProblem("model", `model "${model}" is not served; choose one of: ${config.servedModels.join(", ")}`);
  }
  return scope.livemode ? model : config.testModel;
}

/**
 * Reads the sizes of `inputs` (for a submission: the edit's own copies) and prices the request on them; its settings
 * were checked first (`checkEditSettings`).
 */
export async function inspectEdit(
  config: EdgeConfig,
  request: EditRequest,
  inputs: EditInputs,
): Promise<InspectedEdit> {
  const [size, maskSize] = await Promise.all([
    storedImageSize(config, inputs.image),
    inputs.mask && storedImageSize(config, inputs.mask),
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
  return { size, quote: quote(request, size) };
}

function checkPointsInside(points: readonly DragPair[], size: Size) {
  const errors = points.flatMap((pair, i) =>
    (["from", "to"] as const).flatMap((end) => {
      if (pointInside(pair[end], size)) return [];
      const [x, y] = pair[end];
      const message = `[${x}, ${y}] lies outside the ${size.width}x${size.height} image (need x < ${size.width}, y < ${size.height})`;
      return [{ path: `points.${i}.${end}`, message }];
    }),
  );
  if (errors.length > 0) {
    const detail = errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    throw new ApiError("validation_failed", detail, { errors });
  }
}

/** The displayed size of an input, read from the object's header with ranged GETs. */
async function storedImageSize(config: EdgeConfig, input: EditInput): Promise<Size> {
  const url = objectUrl(config.s3, input.key);
  try {
    const probe = await probeImageSize(s3RangeReader(s3Client(config.s3), url));
    if (!probe.ok) throw fieldProblem(input.field, `upload ${input.uploadId} is not a usable image: ${probe.reason}`);
    return probe.size;
  } catch (error) {
    if (error instanceof ObjectMissingError) throw nothingUploaded(input);
    if (error instanceof RangeError) throw fieldProblem(input.field, `upload ${input.uploadId}: ${error.message}`);
    throw error;
  }
}
