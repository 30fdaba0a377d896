/** @module print-capacity: `npm run capacity -w infra`: prints docs/deploy.md's capacity tables for the production overlay. */
import { join } from "node:path";
import { renderKustomization } from "../k8s/render-kustomization.js";
import { scalingSettings } from "../k8s/scaling-settings.js";
import { capacityMarkdown } from "./capacity.js";

/** The backlogs the scaling table shows. */
export const tableBacklogs = [0, 1, 4, 5, 12, 40, 100] as const;

export function productionCapacityMarkdown(): string {
  const production = renderKustomization(join(import.meta.dirname, "../k8s/overlays/production"));
  return capacityMarkdown(scalingSettings(production), tableBacklogs);
}

if (process.argv[1] === import.meta.filename) process.stdout.write(`${productionCapacityMarkdown()}\n`);
