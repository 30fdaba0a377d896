/** @module schema-validation: checks a Kubernetes or KEDA object against its OpenAPI schema, unknown fields included. */
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { Deployment } from "kubernetes-models/apps/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Secret, ServiceAccount } from "kubernetes-models/v1";

/** A kubernetes-models class: constructed from plain data, validated by the schema's compiled validator. */
interface ModelClass {
  // `never`: each class wants its own typed data; the objects here are parsed YAML, checked by validate().
  new (data: never): { validate(): void };
  readonly apiVersion: string;
  readonly kind: string;
}

/**
 * The kinds the manifests may use: Kubernetes 1.27's OpenAPI schemas (kubernetes-models 4.5) and KEDA 2.10.1's CRD
 * schemas (@kubernetes-models/keda 0.4, the newest of both that run on Node 20). Every field used here exists
 * unchanged in the KEDA 2.13+ that the metrics-api scaler's bearer auth needs.
 */
const models: readonly ModelClass[] = [
  ConfigMap,
  Namespace,
  Secret,
  ServiceAccount,
  Deployment,
  PodDisruptionBudget,
  ScaledObject,
  TriggerAuthentication,
];

export interface ManifestObject {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly [field: string]: unknown;
}

export class ManifestError extends Error {
  override readonly name = "ManifestError";
}

function modelFor(object: ManifestObject): ModelClass {
  const model = models.find((m) => m.apiVersion === object.apiVersion && m.kind === object.kind);
  if (model === undefined) {
    const known = models.map((m) => `${m.apiVersion} ${m.kind}`).join(", ");
    throw new ManifestError(`no schema for ${String(object.apiVersion)} ${String(object.kind)}; known: ${known}`);
  }
  return model;
}

/**
 * The fields the schema never looks at. Kubernetes' OpenAPI schemas do not forbid unknown fields (the API server's
 * strict field validation does, and CRDs prune them), so the compiled validators accept a typo such as
 * `terminationGracePeriodSecond`. The validator reads every property its schema defines, and every key of a map
 * (`labels`, `data`): wrapping the object in a proxy that records those reads leaves exactly the unknown fields unread.
 */
function unreadFields(instance: object, validate: (data: object) => void): string[] {
  const read = new Set<string>();
  const wrap = (node: object, path: string): object =>
    new Proxy(node, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof property !== "string") return value;
        const childPath = `${path}/${property}`;
        read.add(childPath);
        return value !== null && typeof value === "object" ? wrap(value, childPath) : value;
      },
    });
  validate(wrap(instance, ""));
  const unread: string[] = [];
  const walk = (node: unknown, path: string) => {
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      const childPath = `${path}/${key}`;
      if (!read.has(childPath)) unread.push(childPath);
      else walk(value, childPath);
    }
  };
  walk(instance, "");
  return unread;
}

/** Throws a ManifestError naming the object and every schema violation or unknown field. */
export function validateManifest(object: ManifestObject): void {
  const model = modelFor(object);
  const name = `${object.kind} ${String((object.metadata as { name?: unknown } | undefined)?.name)}`;
  const instance = Reflect.construct(model, [object]) as { validate(): void };
  try {
    instance.validate();
  } catch (error) {
    throw new ManifestError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const unknown = unreadFields(instance, (data) => model.prototype.validate.call(data));
  if (unknown.length > 0) throw new ManifestError(`${name}: fields unknown to its schema: ${unknown.join(", ")}`);
}
