import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { pngOf } from "../image/image-fixtures.js";
import { JobFailure } from "../job-failure.js";
import { checkPricedSize } from "./priced-input.js";

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("checkPricedSize", () => {
  it("lets the image the edit was priced for through", async () => {
    await expect(checkPricedSize(await pngOf(64, 48, () => [1, 2, 3]), { width: 64, height: 48 })).resolves.toBe(
      undefined,
    );
  });

  it("refuses an image of another size with input_changed, naming both sizes", async () => {
    const error = await failureOf(checkPricedSize(await pngOf(512, 512, () => [9, 9, 9]), { width: 64, height: 64 }));
    expect(error).toBeInstanceOf(JobFailure);
    expect((error as JobFailure).toJobError()).toEqual({
      code: "input_changed",
      message: expect.stringContaining("the image is 512x512, but the edit was priced for 64x64"),
      retryable: false,
    });
  });

  it("compares the size as shown: a JPEG turned a quarter by its EXIF orientation has its sides swapped", async () => {
    const stored = await sharp({ create: { width: 80, height: 48, channels: 3, background: "#808080" } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    await expect(checkPricedSize(stored, { width: 48, height: 80 })).resolves.toBe(undefined);
    expect(await failureOf(checkPricedSize(stored, { width: 80, height: 48 }))).toBeInstanceOf(JobFailure);
  });

  it("leaves an unreadable image to the decoder's own error", async () => {
    const error = await failureOf(checkPricedSize(new Uint8Array([1, 2, 3]), { width: 64, height: 64 }));
    expect((error as JobFailure).toJobError().code).toBe("image_invalid");
  });
});
