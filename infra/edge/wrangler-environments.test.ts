import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { renderKustomization } from "../k8s/render-kustomization.js";
import { deployProblems, repoRoot } from "./deploy.js";

const run = promisify(execFile);
const wranglerToml = readFileSync(join(repoRoot, "wrangler.toml"), "utf8");
const environments = ["dev", "staging", "production"] as const;

interface Bindings {
  vars?: Record<string, string>;
  secrets?: { required?: string[] };
  d1_databases?: { binding: string; database_name: string; database_id: string; migrations_dir?: string }[];
  durable_objects?: { bindings: { name: string; class_name: string }[] };
  queues?: { producers?: { binding: string; queue: string }[]; consumers?: { queue: string; max_retries?: number }[] };
}
const config = parse(wranglerToml) as Bindings & { env?: Record<string, Bindings> };
const envConfig = (name: string): Bindings => config.env?.[name] ?? {};

/** Binding kinds wrangler does not inherit from the top level (its "notInheritable" config fields) that we use. */
const notInherited = ["vars", "secrets", "d1_databases", "durable_objects", "queues"] as const;

describe("wrangler.toml environments", () => {
  it("defines dev, staging and production", () => {
    expect(Object.keys(config.env ?? {})).toEqual(expect.arrayContaining([...environments]));
  });

  it.each(environments)("%s repeats every binding kind, var name and secret of the top level", (name) => {
    const env = envConfig(name);
    for (const kind of notInherited) {
      if (config[kind] !== undefined) expect(env[kind], `${kind} in [env.${name}]`).toBeDefined();
    }
    expect(Object.keys(env.vars ?? {}).sort()).toEqual(Object.keys(config.vars ?? {}).sort());
    expect(env.secrets?.required?.slice().sort()).toEqual(config.secrets?.required?.slice().sort());
    const doBindings = (b: Bindings) =>
      (b.durable_objects?.bindings ?? []).map((d) => `${d.name}=${d.class_name}`).sort();
    expect(doBindings(env)).toEqual(doBindings(config));
    const producers = (b: Bindings) => (b.queues?.producers ?? []).map((p) => p.binding).sort();
    expect(producers(env)).toEqual(producers(config));
    expect(env.queues?.consumers?.length).toBe(config.queues?.consumers?.length);
    const [database] = env.d1_databases ?? [];
    expect(database).toMatchObject({
      binding: "DB",
      database_name: `stochedit-${name}`,
      migrations_dir: config.d1_databases?.[0]?.migrations_dir,
    });
    expect(database?.database_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("gives each environment its own database, queue and bucket", () => {
    const resources = environments.flatMap((name) => {
      const env = envConfig(name);
      return [
        ...(env.d1_databases ?? []).map((d) => `d1:${d.database_name}`),
        ...(env.queues?.producers ?? []).map((q) => `queue:${q.queue}`),
        `bucket:${env.vars?.S3_BUCKET}`,
      ];
    });
    expect(new Set(resources).size).toBe(resources.length);
    for (const name of environments) {
      const env = envConfig(name);
      // The consumer reads the queue this environment produces to.
      expect(env.queues?.consumers?.map((c) => c.queue)).toEqual(env.queues?.producers?.map((p) => p.queue));
    }
  });

  it.each(environments)("%s sends webhooks only to public https URLs and stores objects on https", (name) => {
    const vars = envConfig(name).vars ?? {};
    expect(vars.WEBHOOK_ALLOW_LOCALHOST).toBe("false");
    expect(vars.S3_ENDPOINT).toMatch(/^https:\/\//);
  });

  it.each(["staging", "production"] as const)("%s serves the model its Kubernetes runners announce", (name) => {
    const objects = renderKustomization(join(repoRoot, "infra/k8s/overlays", name));
    const runnerConfig = objects.find(
      (object) => object.kind === "ConfigMap" && (object.metadata as { name: string }).name === "stochedit-runner",
    ) as { data: Record<string, string> };
    const vars = envConfig(name).vars ?? {};
    const served = (vars.SERVED_MODELS ?? "").split(",").map((model) => model.trim());
    expect(served).toContain(runnerConfig.data.RUNNER_MODEL_NAME);
    expect(served).toContain(vars.DEFAULT_MODEL);
  });

  it("wrangler deploy --dry-run bundles the worker for each environment, without inheritance warnings", async () => {
    const wrangler = createRequire(join(repoRoot, "package.json")).resolve("wrangler/bin/wrangler.js");
    const outDir = await mkdtemp(join(tmpdir(), "stochedit-dry-run-"));
    const sizes: string[] = [];
    try {
      for (const name of environments) {
        const { stdout, stderr } = await run(
          process.execPath,
          [wrangler, "deploy", "--dry-run", "--env", name, "-c", "wrangler.toml", "--outdir", join(outDir, name)],
          { cwd: repoRoot, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" } },
        );
        const output = `${stdout}\n${stderr}`;
        expect(output, name).toContain("--dry-run: exiting now.");
        expect(output, name).not.toMatch(/not inherited|exists at the top level, but not on/);
        expect(output, name).toContain(`env.DB (stochedit-${name})`);
        expect(output, name).toContain(`env.WEBHOOKS (stochedit-webhooks-${name})`);
        const size = /Total Upload: ([\d.]+ KiB) \/ gzip: ([\d.]+ KiB)/.exec(output);
        expect(size, name).not.toBeNull();
        sizes.push(`${name}: ${size?.[1]} (gzip ${size?.[2]})`);
      }
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
    console.info(`worker bundle per environment: ${sizes.join("; ")}`);
  }, 120_000);
});

describe("deploy.ts", () => {
  it("refuses the repository's placeholders and says what to run", () => {
    const problems = deployProblems(wranglerToml, "staging");
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("run `npx wrangler d1 create stochedit-staging`"),
        expect.stringContaining("S3_ENDPOINT still has a placeholder"),
      ]),
    );
  });

  it("accepts an environment once its ids and account are filled in", () => {
    const filled = wranglerToml
      .replaceAll("00000000-0000-0000-0000-000000000000", "6f1d7a52-93c4-4b1e-8a3f-2d5e9c0b7a41")
      .replaceAll("<ACCOUNT_ID>", "0123456789abcdef0123456789abcdef");
    for (const name of environments) expect(deployProblems(filled, name), name).toEqual([]);
  });

  it("names the environments it knows when given another", () => {
    expect(deployProblems(wranglerToml, "prod")).toEqual([
      expect.stringMatching(/no \[env\.prod\]; it has: .*dev.*staging.*production/),
    ]);
  });

  it("exits before calling wrangler when the environment is not ready, and 2 without one", async () => {
    const script = join(import.meta.dirname, "deploy.ts");
    const deploy = (args: string[]) =>
      run(process.execPath, ["--import", "tsx", script, ...args], { cwd: join(repoRoot, "infra") }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
    const notReady = await deploy(["production"]);
    expect(notReady.code).toBe(1);
    expect(notReady.stderr).toContain("not deploying production:");
    expect((await deploy([])).code).toBe(2);
  });
});
