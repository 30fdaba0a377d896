/**
 * @module deploy: `npm run deploy:edge -w infra -- <env>`: deploys the edge worker to one wrangler environment,
 * D1 migrations first (they must be backward compatible: the old worker keeps serving until the new one is live).
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

function wrangler(args: string[]): number {
  const bin = createRequire(join(repoRoot, "package.json")).resolve("wrangler/bin/wrangler.js");
  const result = spawnSync(process.execPath, [bin, ...args, "-c", "wrangler.toml"], {
    cwd: repoRoot,
    stdio: "inherit",
  });
  return result.status ?? 1;
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
  const migrated = wrangler(["d1", "migrations", "apply", "DB", "--env", envName, "--remote"]);
  if (migrated !== 0) return migrated;
  return wrangler(["deploy", "--env", envName]);
}

if (process.argv[1] === import.meta.filename) process.exitCode = main(process.argv[2]);
