/**
 * @module deploy: `npm run deploy:edge -w infra -- <env>`: deploys the edge worker to one wrangler environment:
 * the playground page built first (wrangler uploads [assets] as they are on disk), then the D1 migrations (they must
 * be backward compatible: the old worker keeps serving until the new one is live), then the worker.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parse } from "smol-toml";

export const repoRoot = join(import.meta.dirname, "../..");
const placeholderDatabaseId = "00000000-0000-0000-0000-000000000000";

interface WranglerEnvironment {
  vars?: Record<string, string>;
  d1_databases?: { binding: string; database_name: string; database_id: string }[];
}

/** The problems that would make a deploy of `envName` fail late or go to the wrong place; empty when none. */
export function deployProblems(wranglerToml: string, envName: string): string[] {
  const config = parse(wranglerToml) as { env?: Record<string, WranglerEnvironment> };
  const environment = config.env?.[envName];
  if (environment === undefined) {
    return [`wrangler.toml has no [env.${envName}]; it has: ${Object.keys(config.env ?? {}).join(", ")}`];
  }
  const problems: string[] = [];
  for (const database of environment.d1_databases ?? []) {
    if (database.database_id === placeholderDatabaseId) {
      problems.push(
        `[env.${envName}] D1 ${database.binding}: database_id is the placeholder; run \`npx wrangler d1 create ${database.database_name}\` and put its id there`,
      );
    }
  }
  for (const [name, value] of Object.entries(environment.vars ?? {})) {
    if (value.includes("<") && value.includes(">")) {
      problems.push(`[env.${envName}.vars] ${name} still has a placeholder: ${value}`);
    }
  }
  return problems;
}

export interface DeployStep {
  readonly command: string;
  readonly args: readonly string[];
}

const wranglerStep = (args: string[]): DeployStep => ({
  command: process.execPath,
  args: [
    createRequire(join(repoRoot, "package.json")).resolve("wrangler/bin/wrangler.js"),
    ...args,
    "-c",
    "wrangler.toml",
  ],
});

/**
 * What a deploy of `envName` runs from the repo root, in order. The build comes first: without it wrangler would
 * upload whatever playground/served holds (nothing in a fresh clone, or a stale page), and a failed build must stop
 * the deploy before any migration is applied.
 */
export function deploySteps(envName: string): DeployStep[] {
  return [
    { command: "npm", args: ["run", "build", "-w", "playground"] },
    wranglerStep(["d1", "migrations", "apply", "DB", "--env", envName, "--remote"]),
    wranglerStep(["deploy", "--env", envName]),
  ];
}

function main(envName: string | undefined): number {
  if (envName === undefined || envName.startsWith("-")) {
    process.stderr.write("usage: npm run deploy:edge -w infra -- <dev|staging|production>\n");
    return 2;
  }
  const problems = deployProblems(readFileSync(join(repoRoot, "wrangler.toml"), "utf8"), envName);
  if (problems.length > 0) {
    process.stderr.write(`not deploying ${envName}:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`);
    return 1;
  }
  for (const step of deploySteps(envName)) {
    const status = spawnSync(step.command, step.args, { cwd: repoRoot, stdio: "inherit" }).status ?? 1;
    if (status !== 0) return status;
  }
  return 0;
}

if (process.argv[1] === import.meta.filename) process.exitCode = main(process.argv[2]);
