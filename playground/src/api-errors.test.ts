import { ApiError, HttpError, NetworkError, UnexpectedResponseError } from "@stochedit/client";
import { describe, expect, it } from "vitest";
import { describeError } from "./api-errors.js";

describe("describeError", () => {
  it("gives a problem's title, detail, every field error and the request id", () => {
    const error = new ApiError("POST /v1/edits", {
      code: "validation_failed",
      title: "Validation failed",
      status: 422,
      detail: "2 fields are invalid",
      instance: "req-1",
      errors: [
        { path: "steps", message: "Too big: expected number to be <=1000" },
        { path: "points.0.to", message: "Too small" },
      ],
      retryable: false,
    });
    expect(describeError(error)).toEqual({
      title: "Validation failed (422)",
      lines: [
        "2 fields are invalid",
        "steps: Too big: expected number to be <=1000",
        "points.0.to: Too small",
        "POST /v1/edits · request id req-1",
      ],
    });
  });

  it("reads the code and message out of an S3 XML error", () => {
    const body = "<?xml?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>";
    expect(describeError(new HttpError("PUT 127.0.0.1:9000", 403, body))).toEqual({
      title: "PUT 127.0.0.1:9000 answered 403",
      lines: ["AccessDenied: Request has expired"],
    });
  });

  it("says when nothing answered, when the answer had another shape, and any other error's message", () => {
    const offline = new NetworkError("GET /v1/edits/x", new TypeError("Failed to fetch"));
    expect(describeError(offline)).toEqual({ title: "GET /v1/edits/x got no answer", lines: ["Failed to fetch"] });
    expect(describeError(new UnexpectedResponseError("POST /v1/quote", ["price: expected int"])).lines).toEqual([
      "price: expected int",
    ]);
    expect(describeError(new Error("boom"))).toEqual({ title: "Something went wrong", lines: ["boom"] });
  });
});
