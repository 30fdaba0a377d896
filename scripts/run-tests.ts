/**
 * @module run-tests: `npm test`: type-check and lint, make sure the browser tests have a Chromium, then every
 * workspace's tests, each run even when an earlier one failed; ends with a summary naming every failure.
 * `npm test -- edge playground` runs only the workspaces named (after the same check).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureChromium } from "./chromium.js";
import { repoRoot } from "./local-stack/repo-paths.js";

interface StepResult {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly note: string;
}

const say = (text: string) => process.stdout.write(`[test] ${text}\n`);

/** The npm that runs this script (npm sets npm_execpath), else the one on the PATH. */
const npmCommand: [string, ...string[]] = process.env.npm_execpath
  ? [process.execPath, process.env.npm_execpath]
  : ["npm"];

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

/** The root package.json's workspaces that have a `test` script, in its order. */
function testedWorkspaces(): string[] {
  const workspaces = readJson(join(repoRoot, "package.json")).workspaces as string[];
  return workspaces.filter((folder) => {
    const scripts = readJson(join(repoRoot, folder, "package.json")).scripts as Record<string, string> | undefined;
    return scripts?.test !== undefined;
  });
}

function runNpm(name: string, args: readonly string[]): StepResult {
  say(`--- ${name}: npm ${args.join(" ")}`);
  const started = Date.now();
  const [command, ...prefix] = npmCommand;
  const result = spawnSync(command, [...prefix, ...args], { cwd: repoRoot, stdio: "inherit" });
  const seconds = (Date.now() - started) / 1000;
  const ok = result.status === 0;
  const note = ok ? "" : result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
  return { name, ok, seconds, note };
}

function checkChromium(): StepResult {
  const started = Date.now();
  const check = ensureChromium(say);
  const seconds = (Date.now() - started) / 1000;
  const name = "Chromium (browser tests)";
  if ("missing" in check) return { name, ok: false, seconds, note: check.missing };
  return { name, ok: true, seconds, note: `${check.installed ? "installed " : ""}${check.path}` };
}

function printSummary(results: readonly StepResult[]): void {
  const width = Math.max(...results.map((result) => result.name.length));
  say("summary:");
  for (const { name, ok, seconds, note } of results) {
    const time = `${seconds.toFixed(0).padStart(4)} s`;
    process.stdout.write(`  ${ok ? "ok    " : "FAILED"}  ${name.padEnd(width)}  ${time}${note ? `  ${note}` : ""}\n`);
  }
  const failed = results.filter((result) => !result.ok).map((result) => result.name);
  say(
    failed.length === 0
      ? `all ${results.length} passed`
      : `${failed.length} of ${results.length} failed: ${failed.join(", ")}`,
  );
}

const tested = testedWorkspaces();
const named = process.argv.slice(2);
const unknown = named.filter((name) => !tested.includes(name));
if (unknown.length > 0) {
  say(`no workspace with tests named ${unknown.join(", ")}; these have tests: ${tested.join(", ")}`);
  process.exit(2);
}
const results: StepResult[] = [runNpm("check", ["run", "check"]), checkChromium()];
for (const workspace of named.length > 0 ? named : tested) {
  results.push(runNpm(workspace, ["run", "test", "--workspace", workspace]));
}
printSummary(results);
process.exitCode = results.every((result) => result.ok) ? 0 : 1;
