import { describe, expect, it } from "vitest";
import { StorageUnavailableError } from "../storage/transient-errors.js";
import { toApiError } from "./problem-response.js";

describe("toApiError", () => {
  it("makes a storage error that outlasted its retries a 503 to retry shortly", () => {
    for (const error of [
      new Error("D1_ERROR: Network connection lost."),
      Object.assign(new Error("Durable Object is overloaded"), { overloaded: true }),
      new StorageUnavailableError("GET x answered 503"),
    ]) {
      const problem = toApiError(error, "req-1");
      expect([problem.status, problem.code, problem.retryable]).toEqual([503, "unavailable", true]);
      expect(problem.options.headers).toEqual({ "Retry-After": "1" });
      expect(problem.detail).not.toContain("D1");
    }
  });

  it("keeps any other error a 500 that says nothing of what failed", () => {
    const problem = toApiError(new TypeError("cannot read properties of undefined"), "req-2");
    expect([problem.status, problem.code]).toEqual([500, "internal"]);
    expect(problem.detail).toBe("an internal error occurred; quote request id req-2 when reporting it");
  });
});
