/**
 * The package as npm would publish it: `npm pack` (which builds), unpacked into a project of its own beside zod, and
 * used from there by Node and by TypeScript through its exports map, with no Node-only API in what it ships.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const repoModules = join(packageDir, "..", "node_modules");
let project: string;
let installed: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "stochedit-client-pack-"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", project], { cwd: packageDir });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string }[];
  installed = join(project, "node_modules/@stochedit/client");
  await mkdir(installed, { recursive: true });
  await run("tar", ["-xzf", join(project, packed!.filename), "-C", installed, "--strip-components=1"]);
  await symlink(join(repoModules, "zod"), join(project, "node_modules/zod"), "dir");
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", type: "module", private: true }));
}, 120_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe("the packed @stochedit/client", () => {
  it("holds the built JavaScript and types, the README and package.json, and no sources or tests", async () => {
    const files = (await filesUnder(installed)).map((f) => f.slice(installed.length + 1));
    expect(files).toContain("package.json");
    expect(files).toContain("README.md");
    expect(files).toContain("dist/client/src/index.js");
    expect(files).toContain("dist/client/src/index.d.ts");
    expect(files).toContain("dist/shared/src/edit.js");
    expect(files.filter((f) => f.startsWith("src/") || f.includes(".test.") || f.includes("testing/"))).toEqual([]);
  });

  it("imports in Node through its exports map, with zod as its only dependency", async () => {
    const manifest = JSON.parse(await readFile(join(installed, "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies)).toEqual(["zod"]);
    const script = `import * as m from "@stochedit/client";
      const c = new m.StocheditClient({ apiKey: "k", baseUrl: "https://api.test" });
      console.log(JSON.stringify([typeof c.wait, typeof m.verifyWebhook, typeof m.encodeMaskPng, typeof m.ApiError]));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: project });
    expect(JSON.parse(stdout)).toEqual(["function", "function", "function", "function"]);
  }, 30_000);

  it("type-checks a consumer under NodeNext and bundler resolution", async () => {
    const consumer = `import { ApiError, type Edit, StocheditClient } from "@stochedit/client";
      const client = new StocheditClient({ apiKey: "k", baseUrl: "https://api.test" });
      export async function run(): Promise<Edit> {
        try {
          return await client.drag({ image: { uri: "file:///photo.jpg" }, points: [{ from: [1, 2], to: [3, 4] }] });
        } catch (error) {
          if (error instanceof ApiError && error.code === "insufficient_credits") throw error;
          throw error;
        }
      }
      // @ts-expect-error: a drag needs points
      client.drag({ image: "up_x" });\n`;
    await writeFile(join(project, "consumer.ts"), consumer);
    const tsc = join(repoModules, "typescript/bin/tsc");
    // No @types in the project: the package's types must stand on the DOM library alone, as in an app.
    const args = [tsc, "--noEmit", "--strict", "--lib", "ES2022,DOM", "consumer.ts"];
    await Promise.all([
      run(process.execPath, [...args, "--module", "NodeNext", "--moduleResolution", "NodeNext"], { cwd: project }),
      run(process.execPath, [...args, "--module", "ESNext", "--moduleResolution", "Bundler"], { cwd: project }),
    ]);
  }, 120_000);

  it("ships no Node-only API: no node: imports, require, process or Buffer", async () => {
    const js = (await filesUnder(join(installed, "dist"))).filter((f) => f.endsWith(".js"));
    expect(js.length).toBeGreaterThan(10);
    for (const file of js) {
      const text = await readFile(file, "utf8");
      const hits = text.match(/from "node:|\brequire\(|\bprocess\.|\bBuffer\b/g);
      expect({ file: file.slice(installed.length), hits }).toEqual({ file: file.slice(installed.length), hits: null });
    }
  });
});
