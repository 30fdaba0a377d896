/** @module capacity: GPU seconds per edit and edits per GPU-hour on an H100, from shared's model work and measured step costs. */
import { EditRequest, type EditRequestInput, modelWork, type Size, workingSize } from "@stochedit/shared";

/** What an edit costs on one H100 besides its UNet calls; each number's source is in docs/deploy.md, "Capacity". */
export const h100Costs = {
  /** STACK-NOTES: SD 1.5 fp16 UNet at batch 2, 512x512, ORT's fp16 optimised graph, about 11 ms per call. */
  unetMsPerCallAtBatch2: 11,
  /** Assumed: UNet time grows with the batch and with the pixels (latents and tokens per image) in proportion. */
  referencePixels: 512 * 512,
  /** Assumed: VAE encode + decode of one 512x512 image in fp16 (about 10 + 20 ms), scaled by pixels like the UNet. */
  vaeMsAtReference: 30,
  /** Measured by `npm run bench` on the CPU (2026-11-24, fp32, before issue 16): sampler arithmetic per UNet call. */
  overheadMsPerCall: 0.93,
  /** Assumed: claim, presigned download and upload, image decode and encode, completion: per edit, same region. */
  jobIoMs: 300,
} as const;

export interface EditCost {
  readonly unetCalls: number;
  readonly batch: number;
  /** GPU time the runner is busy with the edit, claim to completion. */
  readonly seconds: number;
  readonly editsPerGpuHour: number;
}

export function editCost(input: EditRequestInput, image: Size, costs = h100Costs): EditCost {
  const request = EditRequest.parse(input);
  const work = modelWork(request, image);
  const size = workingSize(image);
  const pixelFactor = (size.width * size.height) / costs.referencePixels;
  const unetMsPerCall = (costs.unetMsPerCallAtBatch2 / 2) * work.batch * pixelFactor;
  const totalMs =
    work.unetCalls * (unetMsPerCall + costs.overheadMsPerCall) + costs.vaeMsAtReference * pixelFactor + costs.jobIoMs;
  return {
    unetCalls: work.unetCalls,
    batch: work.batch,
    seconds: totalMs / 1000,
    editsPerGpuHour: 3_600_000 / totalMs,
  };
}

const upload = "up_capacityExample000001";

/** The edits the capacity table lists: API defaults unless the name says otherwise. */
export const capacityScenarios: readonly { name: string; request: EditRequestInput; image: Size }[] = [
  {
    name: "SDE-Drag 512x512, short drag (1 operation)",
    request: { task: "drag", image: upload, points: [{ from: [256, 256], to: [256, 244] }] },
    image: { width: 512, height: 512 },
  },
  {
    name: "SDE-Drag 512x512, the benchmark's drag (2 operations)",
    request: { task: "drag", image: upload, points: [{ from: [246, 154], to: [246, 123] }] },
    image: { width: 512, height: 512 },
  },
  {
    name: "ODE-Drag 512x512, the benchmark's drag",
    request: { task: "drag", image: upload, sampler: "ode", points: [{ from: [246, 154], to: [246, 123] }] },
    image: { width: 512, height: 512 },
  },
  {
    name: "SDE-Drag 1024x1024, the same drag at twice the size (4 operations)",
    request: { task: "drag", image: upload, points: [{ from: [492, 308], to: [492, 246] }] },
    image: { width: 1024, height: 1024 },
  },
  {
    name: "Inpaint 512x512 (50 steps from t0 = 1)",
    request: { task: "inpaint", image: upload, mask: "up_capacityExampleMask001" },
    image: { width: 512, height: 512 },
  },
  {
    name: "img2img 512x512, strength 0.6 (30 steps)",
    request: { task: "img2img", image: upload, strength: 0.6 },
    image: { width: 512, height: 512 },
  },
];

export interface ScalingSettings {
  /** ScaledObject trigger targetValue: edits in the backlog per runner. */
  readonly targetValue: number;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
}

/**
 * Runners KEDA asks for at a given backlog (queued + running edits): zero at an empty backlog when the minimum is
 * zero, else the HPA's AverageValue rule ceil(backlog / target) within [max(1, min), max].
 */
export function replicasFor(backlog: number, scaling: ScalingSettings): number {
  if (backlog <= 0) return scaling.minReplicaCount;
  const wanted = Math.ceil(backlog / scaling.targetValue);
  return Math.min(scaling.maxReplicaCount, Math.max(1, scaling.minReplicaCount, wanted));
}

const formatNumber = (value: number) => Math.round(value).toLocaleString("en-US");

/** The capacity and scaling tables of docs/deploy.md, exactly as printed there. */
export function capacityMarkdown(scaling: ScalingSettings, backlogs: readonly number[]): string {
  const rows = capacityScenarios.map(({ name, request, image }) => {
    const cost = editCost(request, image);
    return `| ${name} | ${cost.unetCalls} x ${cost.batch} | ${cost.seconds.toFixed(1)} s | ${formatNumber(cost.editsPerGpuHour)} |`;
  });
  const replicaRows = backlogs.map((backlog) => `| ${backlog} | ${replicasFor(backlog, scaling)} |`);
  return [
    "| edit | UNet calls x batch | GPU time per edit | edits per GPU-hour |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    `Runners for a backlog (production: targetValue ${scaling.targetValue}, min ${scaling.minReplicaCount}, max ${scaling.maxReplicaCount}):`,
    "",
    "| backlog (queued + running) | runners |",
    "| --- | --- |",
    ...replicaRows,
  ].join("\n");
}
