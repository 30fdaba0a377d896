/** @module edit-arguments: `stochedit-run edit <task> ...` argv -> validated edit settings and file paths. */
import { extname } from "node:path";
import { parseArgs } from "node:util";
import { DragRequest, Img2ImgRequest, InpaintRequest, type OutputFormat, Task, withPreset } from "@stochedit/shared";
import type { z } from "zod";
import { parseExecutionProvider } from "../model/execution-provider.js";
import type { ExecutionProvider } from "../model/tensor-payload.js";
import type { EditSettings } from "./edit-job.js";

/** A mistake in how the command was called (exit code 2); the message says which flag and what is allowed. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface EditArguments {
  readonly settings: EditSettings;
  readonly imagePath: string;
  readonly maskPath?: string;
  readonly outPath: string;
  readonly modelDir?: string;
  readonly seed?: number;
  readonly executionProvider?: ExecutionProvider;
  readonly threads?: number;
  readonly quiet: boolean;
}

const options = {
  model: { type: "string" },
  image: { type: "string" },
  mask: { type: "string" },
  from: { type: "string", multiple: true },
  to: { type: "string", multiple: true },
  prompt: { type: "string" },
  sampler: { type: "string" },
  seed: { type: "string" },
  preset: { type: "string" },
  steps: { type: "string" },
  t0: { type: "string" },
  strength: { type: "string" },
  guidance: { type: "string" },
  out: { type: "string" },
  format: { type: "string" },
  device: { type: "string" },
  threads: { type: "string" },
  quiet: { type: "boolean", short: "q" },
} as const;

/** Request fields -> the flag a user types, for error messages. */
const flagOf: Record<string, string> = {
  points: "--from/--to",
  output_format: "--format",
};

const formatOfExtension: Record<string, OutputFormat> = {
  ".png": "png",
  ".jpg": "jpeg",
  ".jpeg": "jpeg",
  ".webp": "webp",
};

/** Parses `edit <task> --flag value ...` (argv without the node and script paths). */
export function parseEditArguments(argv: readonly string[]): EditArguments {
  const [command, taskName, ...rest] = argv;
  if (command !== "edit")
    throw new UsageError(`unknown command ${JSON.stringify(command ?? "")}; try: edit drag|inpaint|img2img`);
  const task = Task.safeParse(taskName);
  if (!task.success)
    throw new UsageError(`unknown task ${JSON.stringify(taskName ?? "")}; drag, inpaint or img2img expected`);

  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; strict: true }>>["values"];
  try {
    values = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.image) throw new UsageError("--image is required (a PNG, JPEG or WebP file)");
  if (!values.out) throw new UsageError("--out is required (where to write the result)");
  if (task.data === "inpaint" && !values.mask) throw new UsageError("inpaint needs --mask (255 = fill)");
  if (task.data === "img2img" && values.mask) throw new UsageError("img2img takes no --mask");

  const format = values.format ?? formatOfExtension[extname(values.out).toLowerCase()];
  if (!format) throw new UsageError(`--out ${values.out} has no .png, .jpg or .webp extension; add --format`);

  const body: Record<string, unknown> = {
    task: task.data,
    prompt: values.prompt,
    sampler: values.sampler,
    steps: numberFlag(values.steps, "--steps"),
    guidance: numberFlag(values.guidance, "--guidance"),
    seed: numberFlag(values.seed, "--seed"),
    preset: values.preset,
    output_format: format,
  };
  if (task.data === "drag") {
    body.points = dragPairs(values.from ?? [], values.to ?? []);
    body.t0 = numberFlag(values.t0, "--t0");
  } else if (values.from || values.to) {
    throw new UsageError(`--from/--to are drag points; ${task.data} takes none`);
  }
  if (task.data === "inpaint") body.t0 = numberFlag(values.t0, "--t0");
  if (task.data === "img2img") {
    if (values.strength === undefined) throw new UsageError("img2img needs --strength (0 < strength <= 1)");
    body.strength = numberFlag(values.strength, "--strength");
  } else if (values.strength !== undefined) {
    throw new UsageError(`--strength is for img2img; ${task.data} takes --t0`);
  }

  const settings = validate(task.data, body);
  const threads = numberFlag(values.threads, "--threads");
  if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) {
    throw new UsageError(`--threads is ${values.threads}; a positive integer expected`);
  }
  return {
    settings,
    imagePath: values.image,
    outPath: values.out,
    quiet: values.quiet ?? false,
    ...(values.mask === undefined ? {} : { maskPath: values.mask }),
    ...(values.model === undefined ? {} : { modelDir: values.model }),
    ...(settings.seed === undefined ? {} : { seed: settings.seed }),
    ...(values.device === undefined ? {} : { executionProvider: deviceFlag(values.device) }),
    ...(threads === undefined ? {} : { threads }),
  };
}

function validate(task: Task, body: Record<string, unknown>): EditSettings {
  // The API's own schemas, without the upload references: the CLI accepts exactly what the API accepts.
  const schema: z.ZodType<EditSettings> =
    task === "drag"
      ? DragRequest.omit({
          image: true,
          mask: true,
          max_price: true,
          retention_seconds: true,
          previews: true,
        }).transform(withPreset)
      : task === "inpaint"
        ? InpaintRequest.omit({
            image: true,
            mask: true,
            max_price: true,
            retention_seconds: true,
            previews: true,
          }).transform(withPreset)
        : Img2ImgRequest.omit({ image: true, max_price: true, retention_seconds: true, previews: true }).transform(
            withPreset,
          );
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? "");
    return `${flagOf[field] ?? `--${field}`}: ${issue.message}`;
  });
  throw new UsageError(problems.join("; "));
}

function numberFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number))
    throw new UsageError(`${flag} is ${JSON.stringify(value)}; a number expected`);
  return number;
}

function dragPairs(from: readonly string[], to: readonly string[]) {
  if (from.length === 0) throw new UsageError("drag needs at least one --from x,y --to x,y pair (pixels)");
  if (from.length !== to.length) {
    throw new UsageError(`drag has ${from.length} --from and ${to.length} --to points; give them in pairs`);
  }
  return from.map((source, i) => ({ from: point(source, "--from"), to: point(to[i]!, "--to") }));
}

function point(value: string, flag: string): [number, number] {
  const parts = value.split(",").map((part) => Number(part.trim()));
  if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p))) {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a point; x,y in pixels expected (e.g. 500,420)`);
  }
  return [parts[0]!, parts[1]!];
}

function deviceFlag(value: string): ExecutionProvider {
  try {
    return parseExecutionProvider(value, "--device");
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
