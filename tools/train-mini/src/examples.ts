/**
 * @module examples: the first edits of the README, the CLI and the playground's samples (docs/examples/examples.json),
 * and the exact command lines and request bodies the README shows for them.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EditRequest, type Sampler } from "@stochedit/shared";
import { z } from "zod";

export const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../..");
/** Where the examples' inputs and outputs live, relative to the repository root (the README's commands run there). */
export const examplesDir = "docs/examples";

const fileName = z.string().regex(/^[a-z0-9-]+\.png$/);

/** The request is the API's body without the upload ids, which the walkthrough gets from POST /v1/uploads. */
export const Example = z.object({
  name: z.enum(["drag", "inpaint", "img2img"]),
  title: z.string(),
  image: fileName,
  mask: fileName.optional(),
  request: z.record(z.string(), z.unknown()),
});
export type Example = z.infer<typeof Example>;

export function loadExamples(): Example[] {
  const manifest = JSON.parse(readFileSync(join(repoRoot, examplesDir, "examples.json"), "utf8"));
  const examples = z.object({ examples: z.array(Example) }).parse(manifest).examples;
  for (const example of examples) parsedRequest(example);
  return examples;
}

/** The request as the edge reads it, defaults filled in; throws when the API would refuse it. */
export function parsedRequest(example: Example): EditRequest {
  const uploads = { image: "up_0000000000000000", ...(example.mask && { mask: "up_0000000000000001" }) };
  return EditRequest.parse({ ...example.request, ...uploads });
}

/** The output of an example and sampler, as the README's command writes it (WebP: a few KB for the README's copy). */
export function outputName(example: Example, sampler: Sampler): string {
  return `${example.name}-${sampler}.webp`;
}

/**
 * `stochedit-run` arguments that run the example's request (only the fields it sets; the rest are defaults), writing
 * to `out` (the README's commands write `outputName` in the current folder; docs/examples/ has the committed copy).
 */
export function cliArguments(example: Example, sampler: Sampler, out = outputName(example, sampler)): string[] {
  const { task, points, ...rest } = example.request as { task: string; points?: { from: number[]; to: number[] }[] };
  const args = ["edit", task, "--image", `${examplesDir}/${example.image}`];
  if (example.mask) args.push("--mask", `${examplesDir}/${example.mask}`);
  for (const pair of points ?? []) args.push("--from", pair.from.join(","), "--to", pair.to.join(","));
  for (const [field, value] of Object.entries(rest)) args.push(`--${field}`, String(value));
  if (sampler !== "sde") args.push("--sampler", sampler);
  args.push("--out", out);
  return args;
}

/** The command line as the README prints it (arguments with spaces in double quotes). */
export function commandLine(example: Example, sampler: Sampler): string {
  const quoted = cliArguments(example, sampler).map((arg) => (/^[\w./,:-]+$/.test(arg) ? arg : `"${arg}"`));
  return `npx stochedit-run ${quoted.join(" ")}`;
}

/**
 * The body of POST /v1/edits as the README's curl sends it: single-quoted JSON with the shell's $IMAGE (and $MASK)
 * spliced in where the upload ids go.
 */
export function curlBody(example: Example): string {
  const { task, ...rest } = example.request;
  const uploads = { image: "'$IMAGE'", ...(example.mask && { mask: "'$MASK'" }) };
  return `'${JSON.stringify({ task, ...uploads, ...rest })}'`;
}
