/**
 * @module layers.test: the edge's imports run one way. Every file of src/ belongs to a layer (its folder, or for a
 * file at the top of src/ the file itself); a file imports only its own layer and the layers below it, so no folder
 * imports one above it and folders never import each other in a cycle. test-support/ is the tests' harness: only
 * tests import it, and it may reach every layer. A test may also import the worker's entry points (app.ts, index.ts),
 * which it drives as the runtime does. The README's "Architecture" section describes the same order.
 */
/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";

/** Lowest first. */
const layers: readonly (readonly string[])[] = [
  ["config.ts", "ids.ts"],
  ["db"],
  ["storage"],
  ["http"],
  ["ratelimit"],
  ["auth"],
  ["views"],
  ["webhooks"],
  ["billing"],
  ["dispatch"],
  ["edits"],
  ["routes"],
  ["app.ts"],
  ["index.ts"],
];

const harness = "test-support";
const entryPoints = new Set(["app.ts", "index.ts"]);

/** Every source file of src/, keyed "./folder/file.ts", as text (Vite reads them when it bundles this test). */
const sources = import.meta.glob<string>("./**/*.ts", { query: "?raw", import: "default", eager: true });

interface Import {
  file: string;
  target: string;
}

const importPattern = /(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

/** The files of src/ that `source` (at `file`) imports, statically, dynamically or as a re-export. */
function importsOf(file: string, source: string): Import[] {
  return [...source.matchAll(importPattern)].flatMap((match) => {
    const target = resolve(file, match[1]!);
    return target === undefined ? [] : [{ file, target }];
  });
}

/** "./a/b.ts" importing "../c/d.js" -> "./c/d.ts"; undefined outside src/ (another workspace). */
function resolve(file: string, specifier: string): string | undefined {
  const parts = file.split("/").slice(1, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else if (part !== ".") parts.push(part);
  }
  return `./${parts.join("/").replace(/\.js$/, ".ts")}`;
}

/** The folder of a file, or for a file at the top of src/ its name. */
function partOf(file: string): string {
  return file.split("/")[1]!;
}

const isTest = (file: string) => file.endsWith(".test.ts");

/** A top-level test drives the whole worker: it sits above every layer. */
function rankOf(file: string): number | undefined {
  const part = partOf(file);
  if (file.split("/").length === 2 && isTest(file)) return layers.length;
  const rank = layers.findIndex((layer) => layer.includes(part));
  return rank === -1 ? undefined : rank;
}

/** Why an import breaks the layering, or undefined when it does not. */
function layerProblem({ file, target }: Import): string | undefined {
  const [from, to] = [partOf(file), partOf(target)];
  if (from === to || from === harness) return undefined;
  if (to === harness) return isTest(file) ? undefined : `${file} imports the test harness ${target}`;
  if (isTest(file) && entryPoints.has(to)) return undefined;
  const [fromRank, toRank] = [rankOf(file), rankOf(target)];
  if (fromRank === undefined) return `${file} is in no layer: add ${from} to the list`;
  if (toRank === undefined) return `${file} imports ${target}, which is in no layer: add ${to} to the list`;
  if (toRank >= fromRank) return `${file} imports ${target}: ${to} is not below ${from}`;
  return undefined;
}

/** The folder cycles among `imports`, each as its folders in order; none when the folders import one way. */
function folderCycles(imports: readonly Import[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const { file, target } of imports) {
    const [from, to] = [partOf(file), partOf(target)];
    if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
  }
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (part: string, path: string[]) => {
    const seen = path.indexOf(part);
    if (seen >= 0) return void cycles.push([...path.slice(seen), part]);
    if (done.has(part)) return;
    for (const next of edges.get(part) ?? []) visit(next, [...path, part]);
    done.add(part);
  };
  for (const part of [...edges.keys()].sort()) visit(part, []);
  return cycles;
}

const allImports = Object.entries(sources).flatMap(([file, source]) => importsOf(file, source));

describe("the edge's layers", () => {
  it("reads the imports of every file of src/", () => {
    expect(Object.keys(sources)).toContain("./edits/claim-job.ts");
    expect(importsOf("./edits/claim-job.ts", sources["./edits/claim-job.ts"]!)).toContainEqual({
      file: "./edits/claim-job.ts",
      target: "./dispatch/dispatcher.ts",
    });
    // Each one names a file that exists: the resolution is right.
    expect(allImports.filter(({ target }) => !(target in sources))).toEqual([]);
  });

  it("has every file in a layer, and each importing only its own layer and those below", () => {
    for (const file of Object.keys(sources)) {
      if (partOf(file) !== harness && !isTest(file)) expect(rankOf(file), file).toBeDefined();
    }
    expect(allImports.flatMap((edge) => layerProblem(edge) ?? [])).toEqual([]);
  });

  it("has no cycle between folders, tests and harness left out", () => {
    const code = allImports.filter(({ file }) => !isTest(file) && partOf(file) !== harness);
    expect(folderCycles(code)).toEqual([]);
  });

  it("catches an upward import and a cycle", () => {
    const upward = { file: "./db/edits.ts", target: "./edits/claim-job.ts" };
    expect(layerProblem(upward)).toBe("./db/edits.ts imports ./edits/claim-job.ts: edits is not below db");
    const back = { file: "./dispatch/dispatcher.ts", target: "./edits/finish-job.ts" };
    const forth = { file: "./edits/claim-job.ts", target: "./dispatch/dispatcher.ts" };
    expect(folderCycles([back, forth])).toEqual([["dispatch", "edits", "dispatch"]]);
    expect(layerProblem({ file: "./edits/cancel-edit.ts", target: "./test-support/api.ts" })).toMatch(/harness/);
  });
});
