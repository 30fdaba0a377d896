/** @module paper: `npm run paper -- --config <json>`: runs the paper-reproduction experiments, writes JSON and SVGs. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { PaperConfig } from "../src/paper-config.js";
import { runPaper } from "../src/run-paper.js";

const usage = `usage: npm run paper -- --config CONFIG.json [--out RESULT.json] [--figures DIR]

  --config FILE   experiments to run (see docs/paper-reproduction.md and docs/experiments/*.json)
  --out FILE      the JSON result (default: CONFIG.result.json beside the config); its tables go beside it
                  as .summary.md
  --figures DIR   where the SVG figures go, named after the config (default: docs/figures)

exit codes: 0 ok, 1 internal error, 2 bad command line or config`;

async function main(argv: readonly string[]): Promise<number> {
  let values: { config?: string; out?: string; figures?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: "string" },
        out: { type: "string" },
        figures: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (values.config === undefined) return fail(`--config is required\n${usage}`);
  let text: string;
  try {
    text = await readFile(values.config, "utf8");
  } catch (error) {
    return fail(`cannot read --config ${values.config}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`--config ${values.config} is not JSON: ${(error as Error).message}`);
  }
  const parsed = PaperConfig.safeParse(json);
  if (!parsed.success)
    return fail(`--config ${values.config} is not a valid paper config:\n${z.prettifyError(parsed.error)}`);

  const name = basename(values.config, ".json");
  const outPath = values.out ?? join(dirname(values.config), `${name}.result.json`);
  const figuresDir = values.figures ?? join("docs", "figures");
  const summaryPath = `${outPath.replace(/(\.result)?\.json$/, "")}.summary.md`;
  const { result, figures, summary } = await runPaper(parsed.data, name, (message) =>
    process.stderr.write(`${message}\n`),
  );
  await mkdir(dirname(outPath), { recursive: true });
  await writeFile(outPath, `${compactNumberArrays(JSON.stringify(result, roundForJson, 1))}\n`);
  await writeFile(summaryPath, summary);
  await mkdir(figuresDir, { recursive: true });
  for (const [file, svg] of figures) await writeFile(join(figuresDir, file), svg);
  const figurePaths = [...figures.keys()].map((f) => join(figuresDir, f));
  process.stdout.write(`${JSON.stringify({ result: outPath, summary: summaryPath, figures: figurePaths })}\n`);
  return 0;
}

/** Six significant digits are more than any Monte-Carlo error here and keep the result files readable. */
function roundForJson(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value;
}

/** Puts every array of plain numbers on one line: an indented file stays readable without one number per line. */
function compactNumberArrays(json: string): string {
  return json.replace(
    /\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g,
    (_all, items: string) => `[${items.split(/,\s*/).join(", ")}]`,
  );
}

function fail(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
