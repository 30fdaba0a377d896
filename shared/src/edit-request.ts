/** @module edit-request: the body of POST /v1/edits (and /v1/quote), one variant per task, defaults filled in. */
import { z } from "zod";
import { ImageSource, UploadId } from "./ids.js";
import { editLimits, imageLimits, previewLimits, retentionLimits } from "./limits.js";
import { defaultPreset, Preset, presetTable } from "./presets.js";

export const Sampler = z.enum(["sde", "ode"]).meta({
  id: "Sampler",
  description: "sde (default): stochastic solver (eta = 1); ode: deterministic DDIM (eta = 0)",
});
export const OutputFormat = z.enum(["png", "webp", "jpeg"]).meta({ id: "OutputFormat" });
export const Task = z.enum(["drag", "inpaint", "img2img"]).meta({ id: "Task" });

/** Per-task defaults (the standard preset's grid): steps is the grid over [0, T]; a run from t0 takes about steps x t0. */
export const taskDefaults = {
  drag: { ...presetTable.drag.standard, guidance: 3 },
  inpaint: { ...presetTable.inpaint.standard, guidance: 7.5 },
  img2img: { ...presetTable.img2img.standard, guidance: 7.5 },
} as const;

const coordinate = z.number().min(0).max(imageLimits.maxSide);
export const Point = z
  .tuple([coordinate, coordinate])
  .meta({ id: "Point", description: "[x, y] in pixels of the uploaded image, origin top-left", example: [500, 420] });
export const DragPair = z.object({ from: Point, to: Point }).meta({ id: "DragPair" });

const t0 = z.number().gt(0, "must be greater than 0").max(1, "must be at most 1");

/** "fast 25, standard 200, best 400" for one field of one task's presets. */
function presetValues(task: keyof typeof presetTable, field: "steps" | "t0"): string {
  const presets = presetTable[task] as Record<Preset, { steps: number; t0?: number }>;
  return Preset.options.map((preset) => `${preset} ${presets[preset][field]}`).join(", ");
}

/** Omitted, t0 is the preset's; given, it wins over the preset. */
function startLevel(task: "drag" | "inpaint") {
  return t0.optional().meta({
    description: `Start level: how far the input is noised before the edit (0..1]; default: the preset's (${presetValues(task, "t0")})`,
  });
}

function commonFields<G extends number>(task: keyof typeof presetTable, defaults: { guidance: G }) {
  return {
    image: ImageSource.meta({
      description:
        "An upload id, or the id of a succeeded edit of this account: its output is the input (a chained edit)",
    }),
    prompt: z
      .string()
      .max(editLimits.promptMaxChars)
      .default("")
      .meta({ description: "What the result should show (at most 77 CLIP tokens)" }),
    sampler: Sampler.default("sde"),
    seed: z
      .int()
      .min(0)
      .max(editLimits.seedMax)
      .optional()
      .meta({ description: "Omit for a random seed; the job records the seed used" }),
    preset: Preset.default(defaultPreset),
    steps: z
      .int()
      .min(editLimits.stepsMin)
      .max(editLimits.stepsMax)
      .optional()
      .meta({
        description:
          "Step grid over [0, T]; a run from t0 takes round(steps x t0) of it. Default: the preset's " +
          `(${presetValues(task, "steps")}); given, it wins over the preset`,
      }),
    guidance: z.number().min(editLimits.guidanceMin).max(editLimits.guidanceMax).default(defaults.guidance),
    webhook_url: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .max(editLimits.webhookUrlMaxChars)
      .optional(),
    output_format: OutputFormat.default("png"),
    max_price: z.int().min(0).optional().meta({
      description:
        "Price cap in micro-credits: a submission priced above it is refused (422 price_above_max, nothing held)",
    }),
    retention_seconds: z
      .int()
      .min(retentionLimits.minSeconds)
      .max(retentionLimits.maxSeconds)
      .default(retentionLimits.defaultSeconds)
      .meta({
        description:
          "How long the output and inputs are kept after the edit ends (1 hour to 30 days, default 7 days); " +
          "then they are deleted, the ledger row stays",
      }),
    previews: z
      .int()
      .min(0)
      .max(previewLimits.maxCount)
      .default(0)
      .meta({
        description:
          "How many previews to send while the edit runs: JPEGs (longest side <= 256 px) of the clean-image estimate " +
          "at evenly spaced denoising steps, the last at the final step, as `preview` events; a drag adds its " +
          "copy-pasted start first. Each is one VAE decode, priced in the quote (decoder_calls)",
      }),
    model: z
      .string()
      .max(editLimits.modelNameMaxChars)
      .regex(/^[a-z0-9][a-z0-9._-]*$/, "must be a model name like stochedit-mini")
      .optional(),
  };
}

export const DragRequest = z
  .object({
    task: z.literal("drag"),
    ...commonFields("drag", taskDefaults.drag),
    points: z.array(DragPair).min(editLimits.dragMinPairs).max(editLimits.dragMaxPairs),
    mask: UploadId.optional().meta({ description: "Single-channel image, 255 = editable; none = all editable" }),
    t0: startLevel("drag"),
  })
  .meta({ id: "DragRequest" });

export const InpaintRequest = z
  .object({
    task: z.literal("inpaint"),
    ...commonFields("inpaint", taskDefaults.inpaint),
    mask: UploadId.meta({ description: "Single-channel image, 255 = fill" }),
    t0: startLevel("inpaint"),
  })
  .meta({ id: "InpaintRequest" });

export const Img2ImgRequest = z
  .object({
    task: z.literal("img2img"),
    ...commonFields("img2img", taskDefaults.img2img),
    strength: t0.meta({ description: "t0: how far the input is noised before denoising (0..1]" }),
  })
  .meta({ id: "Img2ImgRequest" });

/** A request once its preset has filled what it left out: steps always, t0 too where the task has one. */
type WithPresetGrid<T> = T extends { task: "img2img" } ? T & { steps: number } : T & { steps: number; t0: number };

/**
 * Fills steps (and t0) from the request's preset where the request gives none: explicit values win. They go last
 * either way, so a request serialises the same whether they were given or filled (the edge hashes it for
 * Idempotency-Key).
 */
export function withPreset<T extends { task: keyof typeof presetTable; preset: Preset; steps?: number; t0?: number }>(
  request: T,
): WithPresetGrid<T> {
  const { steps: givenSteps, t0: givenT0, ...rest } = request;
  const grid: { steps: number; t0?: number } = presetTable[request.task][request.preset];
  const steps = givenSteps ?? grid.steps;
  if (grid.t0 === undefined) return { ...rest, steps } as WithPresetGrid<T>;
  return { ...rest, steps, t0: givenT0 ?? grid.t0 } as WithPresetGrid<T>;
}

export const EditRequest = z
  .discriminatedUnion("task", [DragRequest, InpaintRequest, Img2ImgRequest])
  .meta({ id: "EditRequest" })
  .transform(withPreset);

/** The body as a client writes it. */
export type EditRequestInput = z.input<typeof EditRequest>;
/** The body after parsing: defaults filled in, steps and t0 from the preset where not given. */
export type EditRequest = z.output<typeof EditRequest>;
export type DragRequest = WithPresetGrid<z.output<typeof DragRequest>>;
export type InpaintRequest = WithPresetGrid<z.output<typeof InpaintRequest>>;
export type Img2ImgRequest = WithPresetGrid<z.output<typeof Img2ImgRequest>>;
export type Sampler = z.infer<typeof Sampler>;
export type OutputFormat = z.infer<typeof OutputFormat>;
export type Task = z.infer<typeof Task>;
export type Point = z.infer<typeof Point>;
export type DragPair = z.infer<typeof DragPair>;

/** The start level t0 of any request (img2img calls it strength). */
export function startFraction(
  request:
    | Pick<DragRequest, "task" | "t0">
    | Pick<InpaintRequest, "task" | "t0">
    | Pick<Img2ImgRequest, "task" | "strength">,
): number {
  return request.task === "img2img" ? request.strength : request.t0;
}
