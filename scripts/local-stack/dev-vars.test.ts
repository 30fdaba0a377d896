import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureDevVars, parseDotenv } from "./dev-vars.js";
import { wranglerConfig } from "./repo-paths.js";

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "stochedit-dev-vars-"));
});
afterEach(() => rm(directory, { recursive: true, force: true }));

/** The names in the top-level `[secrets]` table's `required = [...]` of wrangler.toml. */
async function requiredSecrets(): Promise<string[]> {
  const toml = await readFile(wranglerConfig, "utf8");
  const table = /^\[secrets\]\s*$([\s\S]*?)^\[/m.exec(toml)?.[1] ?? "";
  const list = /^required\s*=\s*\[([^\]]*)\]/m.exec(table)?.[1] ?? "";
  return [...list.matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]!);
}

describe("ensureDevVars", () => {
  it("writes every secret wrangler.toml requires into a new .dev.vars, readable by its owner only", async () => {
    const path = join(directory, ".dev.vars");
    const required = await requiredSecrets();
    expect(required).toContain("METRICS_TOKEN");

    const { secrets, created } = await ensureDevVars(path);
    const written = parseDotenv(await readFile(path, "utf8"));
    expect(Object.keys(written).sort()).toEqual([...required].sort());
    expect(created.sort()).toEqual([...required].sort());
    expect(written).toEqual(secrets);
    for (const token of ["OPERATOR_TOKEN", "RUNNER_HMAC_SECRET", "METRICS_TOKEN"] as const) {
      expect(secrets[token].length).toBeGreaterThanOrEqual(32);
    }
    expect(new Set([secrets.OPERATOR_TOKEN, secrets.RUNNER_HMAC_SECRET, secrets.METRICS_TOKEN]).size).toBe(3);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("keeps the values of an older .dev.vars and adds only what it lacks", async () => {
    const path = join(directory, ".dev.vars");
    const older = "# mine\nOPERATOR_TOKEN=kept-operator-token-0123456789abcdefghij\nRUNNER_HMAC_SECRET='kept-hmac'";
    await writeFile(path, older);

    const { secrets, created } = await ensureDevVars(path);
    expect(created).toEqual(["METRICS_TOKEN", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]);
    expect(secrets).toMatchObject({
      OPERATOR_TOKEN: "kept-operator-token-0123456789abcdefghij",
      RUNNER_HMAC_SECRET: "kept-hmac",
    });
    const text = await readFile(path, "utf8");
    expect(text.startsWith(`${older}\n`)).toBe(true);
    expect(parseDotenv(text)).toEqual(secrets);

    expect(await ensureDevVars(path)).toEqual({ secrets, created: [] });
    expect(await readFile(path, "utf8")).toBe(text);
  });
});

describe("parseDotenv", () => {
  it("reads KEY=value lines, drops quotes, and skips comments and blank lines", () => {
    expect(parseDotenv("# c\n\nA=1\n  B = \"two words\" \nC='3'\n# D=4\nnot a line\r\nE=x=y\r\n")).toEqual({
      A: "1",
      B: "two words",
      C: "3",
      E: "x=y",
    });
  });
});
