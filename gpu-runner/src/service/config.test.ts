import { describe, expect, it } from "vitest";
import { ConfigError, heartbeatIntervalMs, parseRunnerConfig } from "./config.js";

const required = { RUNNER_EDGE_URL: "http://127.0.0.1:8787/", RUNNER_HMAC_SECRET: "s".repeat(32) };

describe("parseRunnerConfig", () => {
  it("fills every default from the two required variables", () => {
    const config = parseRunnerConfig(required);
    expect(config).toMatchObject({
      edgeUrl: "http://127.0.0.1:8787",
      modelName: "stochedit-mini",
      slots: 1,
      health: { host: "127.0.0.1", port: 9464 },
      heartbeatMaxMs: 10_000,
      progressMinMs: 1_000,
      idleBackoff: { minMs: 250, maxMs: 5_000 },
      shutdownGraceMs: 30_000,
      maxDownloadBytes: 20 * 1024 * 1024,
    });
    expect(config.runnerId).toMatch(/-\d+$/);
  });

  it("reads numbers and names from strings", () => {
    const config = parseRunnerConfig({
      ...required,
      RUNNER_ID: "gpu-a",
      RUNNER_SLOTS: "2",
      RUNNER_HEALTH_PORT: "0",
      RUNNER_PROGRESS_MIN_MS: "50",
      RUNNER_IDLE_BACKOFF_MIN_MS: "10",
      RUNNER_IDLE_BACKOFF_MAX_MS: "20",
    });
    expect(config).toMatchObject({
      runnerId: "gpu-a",
      slots: 2,
      health: { port: 0 },
      progressMinMs: 50,
      idleBackoff: { minMs: 10, maxMs: 20 },
    });
  });

  it("names every missing or bad variable at once", () => {
    const parse = () => parseRunnerConfig({ RUNNER_HMAC_SECRET: "short", RUNNER_SLOTS: "0" });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/RUNNER_EDGE_URL: .*RUNNER_HMAC_SECRET: must be at least 32 characters.*RUNNER_SLOTS/);
  });

  it("refuses a backoff whose maximum is below its minimum", () => {
    const parse = () =>
      parseRunnerConfig({ ...required, RUNNER_IDLE_BACKOFF_MIN_MS: "500", RUNNER_IDLE_BACKOFF_MAX_MS: "100" });
    expect(parse).toThrow(/RUNNER_IDLE_BACKOFF_MAX_MS: must be at least RUNNER_IDLE_BACKOFF_MIN_MS/);
  });

  it("requires the GPU only when STOCHEDIT_REQUIRE_GPU says so, and only together with the CUDA provider", () => {
    expect(parseRunnerConfig(required).requireGpu).toBe(false);
    expect(parseRunnerConfig({ ...required, STOCHEDIT_EXECUTION_PROVIDER: "cuda" }).requireGpu).toBe(false);
    for (const [value, requireGpu] of [
      ["1", true],
      ["true", true],
      ["0", false],
      ["false", false],
      ["", false],
    ] as const) {
      const env = { ...required, STOCHEDIT_EXECUTION_PROVIDER: "CUDA", STOCHEDIT_REQUIRE_GPU: value };
      expect(parseRunnerConfig(env).requireGpu).toBe(requireGpu);
    }
    expect(() =>
      parseRunnerConfig({ ...required, STOCHEDIT_EXECUTION_PROVIDER: "cuda", STOCHEDIT_REQUIRE_GPU: "yes" }),
    ).toThrow(/STOCHEDIT_REQUIRE_GPU: must be 1 or true/);
    expect(() => parseRunnerConfig({ ...required, STOCHEDIT_REQUIRE_GPU: "1" })).toThrow(
      /STOCHEDIT_REQUIRE_GPU: requires STOCHEDIT_EXECUTION_PROVIDER=cuda/,
    );
    expect(() =>
      parseRunnerConfig({ ...required, STOCHEDIT_EXECUTION_PROVIDER: "cpu", STOCHEDIT_REQUIRE_GPU: "true" }),
    ).toThrow(/requires STOCHEDIT_EXECUTION_PROVIDER=cuda/);
  });

  it("refuses an edge URL that is not http(s)", () => {
    expect(() => parseRunnerConfig({ ...required, RUNNER_EDGE_URL: "ftp://edge" })).toThrow(/RUNNER_EDGE_URL/);
  });
});

describe("heartbeatIntervalMs", () => {
  it("beats three times per lease, capped by the setting", () => {
    expect(heartbeatIntervalMs({ heartbeatMaxMs: 10_000 }, 60_000)).toBe(10_000);
    expect(heartbeatIntervalMs({ heartbeatMaxMs: 10_000 }, 900)).toBe(300);
  });
});
