import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BacklogMetrics } from "@stochedit/shared";
import { describe, expect, it } from "vitest";
// The runner's own settings schema: the ConfigMap must parse with it. (Not exported by @stochedit/gpu-runner.)
import { parseRunnerConfig } from "../../gpu-runner/src/service/config.js";
import { editCost } from "../capacity/capacity.js";
import { objectName, parseYamlDocuments, renderKustomization } from "./render-kustomization.js";
import { type ManifestObject, validateManifest } from "./schema-validation.js";

const k8sDir = import.meta.dirname;
const overlays = ["staging", "production"] as const;
const rendered = Object.fromEntries(
  overlays.map((overlay) => [overlay, renderKustomization(join(k8sDir, "overlays", overlay))]),
) as Record<(typeof overlays)[number], ManifestObject[]>;
const base = renderKustomization(join(k8sDir, "base"));
const dockerfile = readFileSync(join(k8sDir, "../runner/Dockerfile"), "utf8");
const deployDoc = readFileSync(join(k8sDir, "../../docs/deploy.md"), "utf8");

// Typed views of the objects the assertions read (the schemas have already checked the shapes).
interface Container {
  name: string;
  image: string;
  args?: string[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  resources: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  readinessProbe?: { httpGet: { path: string; port: string | number } };
  livenessProbe?: { httpGet: { path: string; port: string | number } };
  startupProbe?: { httpGet: { path: string; port: string | number }; periodSeconds: number; failureThreshold: number };
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
}
interface PodSpec {
  terminationGracePeriodSeconds: number;
  nodeSelector?: Record<string, string>;
  tolerations?: { key: string; operator: string; effect: string }[];
  securityContext: { runAsNonRoot: boolean; runAsUser: number; runAsGroup: number };
  initContainers: Container[];
  containers: Container[];
}
interface ScaledObjectSpec {
  scaleTargetRef: { name: string; kind?: string };
  cooldownPeriod: number;
  minReplicaCount: number;
  maxReplicaCount: number;
  advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: number } } } };
  triggers: { type: string; metadata: Record<string, string>; authenticationRef: { name: string } }[];
}

function find(objects: readonly ManifestObject[], kind: string, name?: string): ManifestObject {
  const matches = objects.filter(
    (object) => object.kind === kind && (name === undefined || (object.metadata as { name: string }).name === name),
  );
  expect(matches, `${kind} ${name ?? ""}`).toHaveLength(1);
  return matches[0]!;
}
const podSpec = (objects: readonly ManifestObject[]) =>
  (find(objects, "Deployment").spec as { template: { spec: PodSpec } }).template.spec;
const runnerContainer = (objects: readonly ManifestObject[]) =>
  podSpec(objects).containers.find((container) => container.name === "runner")!;
const configMapData = (objects: readonly ManifestObject[], name: string) =>
  (find(objects, "ConfigMap", name) as { data: Record<string, string> }).data;
/** The whole shell command (continued lines included) on the line of the doc that contains `marker`. */
function shellCommand(doc: string, marker: string): string {
  const lines = doc.split("\n");
  const start = lines.findIndex((line) => line.includes(marker));
  if (start === -1) return "";
  let end = start;
  while (lines[end]?.trimEnd().endsWith("\\")) end++;
  return lines
    .slice(start, end + 1)
    .join("\n")
    .trim();
}
const scaledObject = (objects: readonly ManifestObject[]) => find(objects, "ScaledObject").spec as ScaledObjectSpec;

describe("Kubernetes manifests", () => {
  it("every YAML file parses (no duplicate keys)", () => {
    const files = readdirSync(k8sDir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      expect(parseYamlDocuments(readFileSync(join(k8sDir, file), "utf8"), file).length, file).toBeGreaterThan(0);
    }
  });

  it.each(["base", ...overlays])(
    "%s validates against the Kubernetes and KEDA schemas, unknown fields included",
    (name) => {
      const objects = name === "base" ? base : rendered[name as (typeof overlays)[number]];
      expect(objects.map(objectName)).toEqual(
        expect.arrayContaining(["Deployment stochedit-runner", "ScaledObject stochedit-runner"]),
      );
      for (const object of objects) expect(() => validateManifest(object), objectName(object)).not.toThrow();
    },
  );

  it("the validation catches a misspelt field and a wrong type", () => {
    const deployment = structuredClone(find(base, "Deployment")) as {
      spec: { template: { spec: Record<string, unknown> } };
    };
    deployment.spec.template.spec.terminationGracePeriodSecond = 180;
    expect(() => validateManifest(deployment as unknown as ManifestObject)).toThrow(
      "fields unknown to its schema: /spec/template/spec/terminationGracePeriodSecond",
    );
    const scaled = structuredClone(find(base, "ScaledObject")) as { spec: Record<string, unknown> };
    scaled.spec.cooldownPeriod = "10m";
    expect(() => validateManifest(scaled as unknown as ManifestObject)).toThrow(/cooldownPeriod must be integer/);
  });

  describe.each(overlays)("%s overlay", (overlay) => {
    const objects = rendered[overlay];

    it("puts every namespaced object in the environment's namespace and uses a tagged registry image", () => {
      const namespace = `stochedit-${overlay}`;
      expect((find(objects, "Namespace").metadata as { name: string }).name).toBe(namespace);
      for (const object of objects.filter((o) => o.kind !== "Namespace")) {
        expect((object.metadata as { namespace?: string }).namespace, objectName(object)).toBe(namespace);
      }
      const spec = podSpec(objects);
      for (const container of [...spec.initContainers, ...spec.containers]) {
        expect(container.image).toMatch(/^[a-z0-9.-]+\/[a-z0-9/._-]+:[0-9][\w.-]*$/);
      }
    });

    it("points the runners and the autoscaler at the same edge", () => {
      const edgeUrl = configMapData(objects, "stochedit-runner").RUNNER_EDGE_URL;
      expect(scaledObject(objects).triggers[0]!.metadata.url).toBe(`${edgeUrl}/internal/metrics`);
      expect(edgeUrl).toMatch(/^https:\/\//);
    });

    it("gives the runner a configuration its own schema accepts", () => {
      const config = parseRunnerConfig({
        ...configMapData(objects, "stochedit-runner"),
        RUNNER_HMAC_SECRET: "a secret of at least thirty-two characters",
      });
      expect(config.slots).toBe(1);
      expect(config.health).toEqual({ host: "0.0.0.0", port: 9464 });
    });
  });
});

describe("runner Deployment", () => {
  const spec = podSpec(base);
  const runner = runnerContainer(base);
  const runnerConfig = configMapData(base, "stochedit-runner");

  it("asks for one GPU per pod, on GPU nodes, tolerating their taint", () => {
    expect(spec.containers).toHaveLength(1);
    expect(runner.resources.limits?.["nvidia.com/gpu"]).toBe(1);
    expect(runner.resources.requests?.["nvidia.com/gpu"]).toBe(1);
    expect(spec.initContainers.every((c) => c.resources.limits?.["nvidia.com/gpu"] === undefined)).toBe(true);
    expect(spec.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
    expect(spec.tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
    expect(runner.resources.requests?.memory).toBeDefined();
    expect(runner.resources.limits?.memory).toBeDefined();
  });

  it("is ready only once the model is loaded (/healthz), alive while the process answers, on the health port", () => {
    const port = runner.ports?.find((p) => p.name === runner.readinessProbe?.httpGet.port);
    expect(port?.containerPort).toBe(Number(runnerConfig.RUNNER_HEALTH_PORT));
    expect(runner.readinessProbe?.httpGet.path).toBe("/healthz");
    expect(runner.startupProbe?.httpGet.path).toBe("/healthz");
    // /healthz answers 503 while a stopping runner finishes its edit: liveness must not use it.
    expect(runner.livenessProbe?.httpGet.path).toBe("/metrics");
    const startupBudgetSeconds =
      (runner.startupProbe?.periodSeconds ?? 0) * (runner.startupProbe?.failureThreshold ?? 0);
    expect(startupBudgetSeconds).toBeGreaterThanOrEqual(300);
  });

  it("waits longer than the runner's own shutdown grace, which covers a large default edit", () => {
    const graceMs = Number(runnerConfig.RUNNER_SHUTDOWN_GRACE_MS);
    const largeDrag = editCost(
      { task: "drag", image: "up_capacityExample000001", points: [{ from: [492, 308], to: [492, 246] }] },
      { width: 1024, height: 1024 },
    );
    expect(graceMs).toBeGreaterThan(2 * largeDrag.seconds * 1000);
    // Room after the grace: handing the job back to the edge and closing the ONNX sessions.
    expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(graceMs + 30_000);
  });

  it("runs as the image's non-root user with a read-only root filesystem", () => {
    const [uid, gid] = (/^USER (\d+):(\d+)$/m.exec(dockerfile) ?? []).slice(1).map(Number);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid });
    for (const container of [...spec.initContainers, ...spec.containers]) {
      expect(container.securityContext, container.name).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
    }
  });

  it("syncs the model in an init container and mounts it read-only in the runner, where its config looks", () => {
    const sync = spec.initContainers.find((c) => c.name === "model-sync")!;
    expect(sync.args).toEqual(["sync-model"]);
    expect(runner.args).toEqual(["run"]);
    const modelsMount = (container: Container) => container.volumeMounts?.find((m) => m.name === "models");
    expect(modelsMount(sync)?.readOnly).toBeUndefined();
    expect(modelsMount(runner)?.readOnly).toBe(true);
    const source = configMapData(base, "stochedit-model-source");
    expect(source.STOCHEDIT_MODEL_DIR).toBe(runnerConfig.STOCHEDIT_MODEL_DIR);
    expect(runnerConfig.STOCHEDIT_MODEL_DIR?.startsWith(`${modelsMount(runner)?.mountPath}/`)).toBe(true);
    // The runner itself must not sync again: its environment has no S3 source.
    expect(runnerConfig.STOCHEDIT_MODEL_S3_URI).toBeUndefined();
    expect(runnerConfig.STOCHEDIT_EXECUTION_PROVIDER).toBe("cuda");
  });

  it("takes secrets only by reference, and docs/deploy.md creates each one with its keys", () => {
    const references = [...spec.initContainers, ...spec.containers].flatMap((container) => [
      ...(container.envFrom ?? []).flatMap((e) => (e.secretRef ? [`${e.secretRef.name}:*`] : [])),
      ...(container.env ?? []).flatMap((e) => {
        const ref = e.valueFrom?.secretKeyRef;
        return ref ? [`${ref.name}:${ref.key}`] : [];
      }),
    ]);
    const auth = find(base, "TriggerAuthentication").spec as { secretTargetRef: { name: string; key: string }[] };
    references.push(...auth.secretTargetRef.map((ref) => `${ref.name}:${ref.key}`));
    expect(new Set(references)).toEqual(
      new Set(["stochedit-model-store:*", "stochedit-runner:RUNNER_HMAC_SECRET", "stochedit-edge-metrics:token"]),
    );
    expect(base.some((object) => object.kind === "Secret")).toBe(false);
    for (const reference of references) {
      const [name = "", key = ""] = reference.split(":");
      const creation = shellCommand(deployDoc, `create secret generic ${name} `);
      expect(creation, `docs/deploy.md creates the Secret ${name}`).toMatch(/^kubectl -n \S+ create secret generic/);
      if (key !== "*") expect(creation, reference).toContain(`--from-literal=${key}=`);
    }
  });

  it("limits voluntary disruptions to one runner at a time, on the Deployment's pods", () => {
    const budget = find(base, "PodDisruptionBudget").spec as {
      maxUnavailable: number;
      selector: { matchLabels: object };
    };
    const deployment = find(base, "Deployment").spec as { template: { metadata: { labels: object } } };
    expect(budget.maxUnavailable).toBe(1);
    expect(deployment.template.metadata.labels).toMatchObject(budget.selector.matchLabels);
  });
});

describe("KEDA ScaledObject", () => {
  const spec = scaledObject(base);
  const trigger = spec.triggers[0]!;

  it("scales the runner Deployment on the edge's backlog, bearer-authenticated", () => {
    expect(spec.scaleTargetRef.name).toBe((find(base, "Deployment").metadata as { name: string }).name);
    expect(spec.triggers).toHaveLength(1);
    expect(trigger.type).toBe("metrics-api");
    expect(trigger.metadata).toMatchObject({ format: "json", authMode: "bearer" });
    expect(trigger.metadata.url).toMatch(/\/internal\/metrics$/);
    // valueLocation names a field of the edge's BacklogMetrics body.
    expect(Object.keys(BacklogMetrics.shape)).toContain(trigger.metadata.valueLocation);
    const auth = find(base, "TriggerAuthentication", trigger.authenticationRef.name).spec as {
      secretTargetRef: { parameter: string }[];
    };
    expect(auth.secretTargetRef.map((ref) => ref.parameter)).toEqual(["token"]);
  });

  it("allows scale to zero and keeps a GPU a while after the backlog empties", () => {
    expect(spec.minReplicaCount).toBe(0);
    expect(Number(trigger.metadata.activationTargetValue)).toBe(0);
    expect(spec.cooldownPeriod).toBeGreaterThanOrEqual(300);
    expect(
      spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds,
    ).toBeGreaterThanOrEqual(300);
  });

  it("keeps the production minimum within its maximum and above staging's", () => {
    const production = scaledObject(rendered.production);
    const staging = scaledObject(rendered.staging);
    expect(production.minReplicaCount).toBeLessThanOrEqual(production.maxReplicaCount);
    expect(staging.minReplicaCount).toBe(0);
    expect(production.maxReplicaCount).toBeGreaterThan(staging.maxReplicaCount);
  });
});
