/**
 * @module priced-input: the runner runs only the image the edge priced. The edge copies each upload to a key of the
 * edit's own and prices that copy, so a mismatch should never happen; if the image's size still differs from the
 * priced one (a replaced object, or a header the edge read otherwise than the decoder), the job fails with
 * `input_changed`, which is not retried, and the edge releases the whole hold.
 */
import type { Size } from "@stochedit/shared";
import { probeImage } from "../image/probe-image.js";
import { JobFailure } from "../job-failure.js";

/** Throws `input_changed` unless the image's oriented size is the priced one; reads the header only. */
export async function checkPricedSize(image: Uint8Array, priced: Size): Promise<void> {
  const { size } = await probeImage(image, "image");
  if (size.width !== priced.width || size.height !== priced.height) {
    throw new JobFailure(
      "input_changed",
      `the image is ${size.width}x${size.height}, but the edit was priced for ${priced.width}x${priced.height}; ` +
        "it was not run, and its hold is released",
    );
  }
}
