import { describe, expect, it } from "vitest";
import { isTransient, maxTries, retryTransient, StorageUnavailableError } from "./transient-errors.js";

/** A call that throws each of `errors` in turn, then answers "ok". */
function flaky(...errors: unknown[]) {
  let calls = 0;
  const call = async () => {
    calls++;
    const error = errors.shift();
    if (error !== undefined) throw error;
    return "ok";
  };
  return { call, calls: () => calls };
}

describe("isTransient", () => {
  it("knows D1's retryable errors, dropped connections, overloaded objects and a 5xx from S3", () => {
    for (const error of [
      new Error("D1_ERROR: Network connection lost."),
      new Error("D1_ERROR: Internal error while starting up D1 DB storage caused object to be reset."),
      new Error("Durable Object reset because its code was updated."),
      Object.assign(new Error("Durable Object is overloaded. Too many requests queued."), { overloaded: true }),
      Object.assign(new Error("internal error"), { retryable: true }),
      new StorageUnavailableError("GET x answered 503"),
    ]) {
      expect(isTransient(error), String(error)).toBe(true);
    }
  });

  it("leaves everything else alone", () => {
    for (const error of [
      new Error("D1_ERROR: UNIQUE constraint failed: edits.id"),
      new TypeError("x is undefined"),
      "a string",
      undefined,
    ]) {
      expect(isTransient(error), String(error)).toBe(false);
    }
  });
});

describe("retryTransient", () => {
  it("tries a call again after a dropped connection and returns its answer", async () => {
    const call = flaky(new Error("Network connection lost."), new Error("Network connection lost."));
    expect(await retryTransient(call.call)).toBe("ok");
    expect(call.calls()).toBe(3);
  });

  it(`gives up after ${maxTries} tries with the last error`, async () => {
    const errors = Array.from({ length: maxTries }, (_, i) => new Error(`Network connection lost. (${i})`));
    const call = flaky(...errors);
    await expect(retryTransient(call.call)).rejects.toBe(errors.at(-1));
    expect(call.calls()).toBe(maxTries);
  });

  it("never repeats a call on a lasting error, nor on an overloaded object", async () => {
    for (const error of [
      new Error("D1_ERROR: UNIQUE constraint failed: edits.id"),
      Object.assign(new Error("overloaded"), { retryable: true, overloaded: true }),
    ]) {
      const call = flaky(error);
      await expect(retryTransient(call.call)).rejects.toBe(error);
      expect(call.calls()).toBe(1);
    }
  });
});
