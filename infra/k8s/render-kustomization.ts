/**
 * @module render-kustomization: renders the subset of Kustomize these manifests use, so tests can validate the
 * overlays without a kustomize binary (CI has none).
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
// A CommonJS package: Node gives ESM importers its module.exports as the default export only.
import jsonPatch, { type Operation } from "fast-json-patch";
import { parse, parseAllDocuments } from "yaml";
import { ManifestError, type ManifestObject } from "./schema-validation.js";

/**
 * The fields honoured, with Kustomize's meaning: resources (files or kustomization folders), namespace (set on
 * every namespaced object), labels (pairs added to metadata.labels only), images (name -> newName:newTag in
 * containers and init containers), patches (RFC 6902 JSON patches aimed by kind and name). Anything else is refused
 * rather than silently ignored, so `kubectl kustomize` and this renderer cannot drift apart unnoticed.
 */
const supportedFields = new Set(["apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"]);
const clusterScopedKinds = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterTriggerAuthentication"]);

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

type Mutable = Record<string, unknown> & { metadata?: Record<string, unknown> };

/** YAML with duplicate keys or anything else the parser flags fails here, not in a cluster. */
export function parseYamlDocuments(text: string, source: string): Mutable[] {
  return parseAllDocuments(text, { uniqueKeys: true }).map((document, index) => {
    if (document.errors.length > 0) {
      throw new ManifestError(`${source} document ${index + 1}: ${document.errors.map((e) => e.message).join("; ")}`);
    }
    return document.toJS() as Mutable;
  });
}

function readKustomization(dir: string): Kustomization {
  const path = join(dir, "kustomization.yaml");
  const kustomization = parse(readFileSync(path, "utf8"), { uniqueKeys: true }) as Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((field) => !supportedFields.has(field));
  if (unsupported.length > 0) throw new ManifestError(`${path}: unsupported fields ${unsupported.join(", ")}`);
  for (const label of (kustomization.labels ?? []) as NonNullable<Kustomization["labels"]>) {
    if (label.includeSelectors || label.includeTemplates) {
      throw new ManifestError(`${path}: labels with includeSelectors/includeTemplates are not rendered here`);
    }
  }
  return kustomization as Kustomization;
}

function podSpecs(object: Mutable): Record<string, unknown>[] {
  const template = (object.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template;
  return template?.spec === undefined ? [] : [template.spec];
}

/** The objects `kubectl kustomize dir` would print, in resource order. */
export function renderKustomization(dir: string): ManifestObject[] {
  const kustomization = readKustomization(dir);
  const objects: Mutable[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    if (statSync(path).isDirectory()) objects.push(...(renderKustomization(path) as Mutable[]));
    else objects.push(...parseYamlDocuments(readFileSync(path, "utf8"), path));
  }
  for (const { target, patch } of kustomization.patches ?? []) {
    const matches = objects.filter((o) => o.kind === target.kind && o.metadata?.name === target.name);
    if (matches.length === 0) throw new ManifestError(`${dir}: no ${target.kind} ${target.name} to patch`);
    const operations = parse(patch) as Operation[];
    for (const object of matches) jsonPatch.applyPatch(object, operations, true, true);
  }
  for (const object of objects) {
    object.metadata ??= {};
    if (kustomization.namespace !== undefined && !clusterScopedKinds.has(String(object.kind))) {
      object.metadata.namespace = kustomization.namespace;
    }
    for (const { pairs } of kustomization.labels ?? []) {
      object.metadata.labels = { ...(object.metadata.labels as object | undefined), ...pairs };
    }
    for (const spec of podSpecs(object)) {
      const containers = [
        ...((spec.initContainers ?? []) as { image: string }[]),
        ...((spec.containers ?? []) as { image: string }[]),
      ];
      for (const container of containers) {
        // The tag is what follows the last ":" after the last "/" (a registry may carry a port).
        const tagAt = container.image.indexOf(":", container.image.lastIndexOf("/") + 1);
        const imageName = tagAt === -1 ? container.image : container.image.slice(0, tagAt);
        const imageTag = tagAt === -1 ? undefined : container.image.slice(tagAt + 1);
        const image = kustomization.images?.find((candidate) => candidate.name === imageName);
        if (image === undefined) continue;
        const tag = image.newTag ?? imageTag;
        container.image = `${image.newName ?? imageName}${tag === undefined ? "" : `:${tag}`}`;
      }
    }
  }
  return objects;
}

/** For error messages and lookups: "Kind name". */
export const objectName = (object: ManifestObject) =>
  `${String(object.kind)} ${String((object.metadata as { name?: unknown } | undefined)?.name)}`;
