/** @module scaling-settings: the KEDA numbers of a rendered overlay (target per runner, min, max), for the capacity table. */
import type { ScalingSettings } from "../capacity/capacity.js";
import { ManifestError, type ManifestObject } from "./schema-validation.js";

interface ScaledObjectSpec {
  minReplicaCount?: number;
  maxReplicaCount?: number;
  triggers: { type: string; metadata: Record<string, string> }[];
}

export function scalingSettings(objects: readonly ManifestObject[]): ScalingSettings {
  const scaledObjects = objects.filter((object) => object.kind === "ScaledObject");
  if (scaledObjects.length !== 1) throw new ManifestError(`expected one ScaledObject, found ${scaledObjects.length}`);
  const spec = scaledObjects[0]!.spec as ScaledObjectSpec;
  const trigger = spec.triggers.find((candidate) => candidate.type === "metrics-api");
  if (trigger === undefined) throw new ManifestError("the ScaledObject has no metrics-api trigger");
  return {
    targetValue: Number(trigger.metadata.targetValue),
    // KEDA's defaults when the fields are left out.
    minReplicaCount: spec.minReplicaCount ?? 0,
    maxReplicaCount: spec.maxReplicaCount ?? 100,
  };
}
