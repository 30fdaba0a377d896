import { describe, expect, it } from "vitest";
import { uploadLimits } from "./limits.js";
import { fieldErrors } from "./problem.js";
import { UploadRequest } from "./uploads.js";

describe("UploadRequest", () => {
  it("accepts each allowed image type", () => {
    for (const content_type of uploadLimits.contentTypes) {
      expect(UploadRequest.parse({ content_type, content_length: 1234 })).toEqual({
        content_type,
        content_length: 1234,
      });
    }
  });

  it("rejects other content types and out-of-range lengths with their path", () => {
    const bad = [
      [{ content_type: "image/gif", content_length: 10 }, "content_type"],
      [{ content_type: "image/png", content_length: 0 }, "content_length"],
      [{ content_type: "image/png", content_length: uploadLimits.maxBytes + 1 }, "content_length"],
      [{ content_type: "image/png", content_length: 1.5 }, "content_length"],
      [{ content_type: "image/png" }, "content_length"],
    ] as const;
    for (const [body, path] of bad) {
      const result = UploadRequest.safeParse(body);
      expect(result.success).toBe(false);
      expect(fieldErrors(result.error!.issues)[0]!.path).toBe(path);
    }
  });
});
