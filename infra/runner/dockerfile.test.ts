import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Copy, DockerfileParser, type From, type Healthcheck, type Instruction } from "dockerfile-ast";
import { describe, expect, it } from "vitest";

const repoRoot = join(import.meta.dirname, "../..");
const dockerfile = DockerfileParser.parse(readFileSync(join(import.meta.dirname, "Dockerfile"), "utf8"));
const ignoreLines = readFileSync(join(import.meta.dirname, "Dockerfile.dockerignore"), "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const requireFromRepo = createRequire(join(repoRoot, "package.json"));

interface Stage {
  readonly from: From;
  readonly name: string;
  readonly instructions: Instruction[];
}

/** The build stages in order, each with the instructions up to the next FROM. */
function stages(): Stage[] {
  const froms = dockerfile.getFROMs();
  const lineOf = (instruction: Instruction) => instruction.getRange().start.line;
  return froms.map((from, index) => {
    const next = froms[index + 1];
    const instructions = dockerfile
      .getInstructions()
      .filter((i) => lineOf(i) > lineOf(from) && (next === undefined || lineOf(i) < lineOf(next)));
    return { from, name: from.getBuildStage() ?? String(index), instructions };
  });
}

const keyword = (stage: Stage, name: string) => stage.instructions.filter((i) => i.getKeyword() === name);
const text = (instruction: Instruction) => instruction.getArgumentsContent() ?? "";
const argDefault = (name: string) =>
  dockerfile
    .getARGs()
    .find((arg) => arg.getProperty()?.getName() === name)
    ?.getProperty()
    ?.getValue();
/** ENV name=value pairs of a stage (values as written). */
const envOf = (stage: Stage) =>
  Object.fromEntries(
    stage.instructions
      .filter((i) => i.getKeyword() === "ENV")
      .flatMap((i) =>
        (i as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties(),
      )
      .map((property) => [property.getName(), property.getValue()]),
  );
const finalStage = () => stages().at(-1)!;

describe("runner Dockerfile", () => {
  it("parses into a multi-stage build for linux/amd64 whose last stage is the CUDA runtime", () => {
    const all = stages();
    expect(all.map((stage) => stage.name)).toEqual(["deps", "node", "model-optimizer", "runtime"]);
    for (const stage of all) expect(stage.from.getPlatformFlag()?.getValue(), stage.name).toBe("linux/amd64");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's ARG reference, as written there.
    expect(finalStage().from.getImage()).toBe("${CUDA_IMAGE}");
  });

  it("bases the runtime on CUDA 13 with cuDNN (runtime flavour) and Node 20 from the same pinned image as the build", () => {
    expect(argDefault("CUDA_IMAGE")).toMatch(/^nvidia\/cuda:13\.\d+\.\d+-cudnn-runtime-ubuntu\d+\.\d+$/);
    expect(argDefault("NODE_IMAGE")).toMatch(/^node:20\.\d+\.\d+-/);
    const copiesNode = keyword(finalStage(), "COPY").some(
      (copy) => (copy as Copy).getFromFlag()?.getValue() === "node" && text(copy).startsWith("/usr/local/bin/node "),
    );
    expect(copiesNode).toBe(true);
  });

  it("installs onnxruntime-node's CUDA provider with a manifest name its install script knows for linux/x64", () => {
    const deps = stages()[0]!;
    const installValue = envOf(deps).ONNXRUNTIME_NODE_INSTALL;
    const metadata = requireFromRepo("onnxruntime-node/script/install-metadata.js") as {
      requirements: Record<string, string[]>;
      manifests: Record<string, Record<string, unknown>>;
    };
    expect(metadata.requirements["linux/x64"]).toContain(installValue);
    expect(Object.keys(metadata.manifests[`linux/x64:${installValue}`] ?? {})).toContain(
      "./libonnxruntime_providers_cuda.so",
    );
    const runs = keyword(deps, "RUN").map(text);
    const ciIndex = runs.findIndex((run) => run.startsWith("npm ci"));
    const installIndex = runs.findIndex((run) => run.includes("node node_modules/onnxruntime-node/script/install.js"));
    expect(ciIndex).toBeGreaterThanOrEqual(0);
    expect(installIndex).toBeGreaterThan(ciIndex);
  });

  it("downloads the provider of the onnxruntime-node version the runner pins", () => {
    const pinned = JSON.parse(readFileSync(join(repoRoot, "gpu-runner/package.json"), "utf8")).dependencies[
      "onnxruntime-node"
    ];
    const installed = requireFromRepo("onnxruntime-node/package.json").version;
    const nuget = requireFromRepo("onnxruntime-node/script/install-metadata-versions.js").nuget[0].version;
    expect([installed, nuget]).toEqual([pinned, pinned]);
  });

  it("keeps devDependencies out: every npm ci omits them and the runtime stage installs nothing", () => {
    const npmInstalls = stages().flatMap((stage) =>
      keyword(stage, "RUN")
        .map(text)
        .filter((run) => /\bnpm (ci|install|i)\b/.test(run) && !run.includes("--global npm@")),
    );
    expect(npmInstalls.length).toBeGreaterThan(0);
    for (const run of npmInstalls) expect(run).toContain("--omit=dev");
    const runtimeRuns = keyword(finalStage(), "RUN").map(text).join("\n");
    expect(runtimeRuns).not.toMatch(/\bnpm\b|\byarn\b|\bpnpm\b/);
    // What the runtime stage takes from other stages: the deps stage's tree and the node binary, nothing else.
    const fromStages = keyword(finalStage(), "COPY").map((copy) => (copy as Copy).getFromFlag()?.getValue());
    expect(new Set(fromStages.filter((value) => value !== undefined))).toEqual(new Set(["deps", "node"]));
  });

  it("checks at build time that the CUDA provider is built for the installed onnxruntime-node's version", () => {
    const runs = keyword(finalStage(), "RUN").map(text);
    const ldd = runs.findIndex((run) => run.startsWith("ldd "));
    const check = runs.findIndex((run) => run.includes("checkCudaProvider(onnxruntimeNode().version)"));
    expect(check).toBeGreaterThan(ldd);
    expect(runs[check]).toContain('import("./gpu-runner/src/model/cuda-provider.ts")');
    expect(runs[check]).toMatch(/if \(check\.status !== "match"\) process\.exit\(1\)/);
    expect(existsSync(join(repoRoot, "gpu-runner/src/model/cuda-provider.ts"))).toBe(true);
  });

  it("has a model-optimizer target (never the default) with the optimizer's pinned requirements", () => {
    const optimizer = stages().find((stage) => stage.name === "model-optimizer")!;
    expect(optimizer.from.getPlatformFlag()?.getValue()).toBe("linux/amd64");
    expect(argDefault("PYTHON_IMAGE")).toMatch(/^python:3\.\d+(\.\d+)?-slim-/);
    const copied = keyword(optimizer, "COPY").flatMap((copy) => text(copy).split(/\s+/).slice(0, -1));
    expect(copied).toEqual([
      "gpu-runner/scripts/optimize-sd-onnx.requirements.txt",
      "gpu-runner/scripts/optimize-sd-onnx.py",
    ]);
    expect(keyword(optimizer, "RUN").map(text)).toEqual([
      "pip install --no-cache-dir --no-compile -r optimize-sd-onnx.requirements.txt",
    ]);
    const requirements = readFileSync(join(repoRoot, copied[0]!), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"));
    for (const line of requirements) expect(line, "pinned exactly").toMatch(/^[A-Za-z0-9_.-]+==[\w.]+$/);
    expect(requirements).toContain("onnxruntime==1.30.0");
    expect(keyword(optimizer, "ENTRYPOINT").map(text)).toEqual(['["python3", "/opt/stochedit/optimize-sd-onnx.py"]']);
    expect(Number(keyword(optimizer, "USER").map(text)[0]?.split(":")[0])).toBeGreaterThan(0);
  });

  it("runs as a numeric non-root user from before the entrypoint to the end", () => {
    const users = keyword(finalStage(), "USER").map(text);
    expect(users).toHaveLength(1);
    const [uid = "", gid = ""] = users[0]!.split(":");
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(gid)).toBeGreaterThan(0);
    const lines = finalStage().instructions.map((i) => i.getKeyword());
    expect(lines.lastIndexOf("RUN")).toBeLessThan(lines.indexOf("USER"));
  });

  it("checks /healthz on the port the runner listens on and exposes", () => {
    const healthchecks = keyword(finalStage(), "HEALTHCHECK");
    expect(healthchecks).toHaveLength(1);
    const flags = (healthchecks[0] as Healthcheck).getFlags().map((flag) => flag.getName());
    expect(flags).toContain("start-period");
    expect(text(healthchecks[0]!)).toBe('CMD ["node", "/app/infra/runner/healthcheck.mjs"]');
    expect(readFileSync(join(import.meta.dirname, "healthcheck.mjs"), "utf8")).toContain("/healthz`");
    const env = envOf(finalStage());
    expect(keyword(finalStage(), "EXPOSE").map(text)).toEqual([env.RUNNER_HEALTH_PORT]);
    // Listening on every interface: probes come from the kubelet, not from inside the pod.
    expect(env.RUNNER_HEALTH_HOST).toBe("0.0.0.0");
  });

  it("asks the runner for CUDA and points it at the model folder", () => {
    const env = envOf(finalStage());
    expect(env.STOCHEDIT_EXECUTION_PROVIDER).toBe("cuda");
    expect(env.STOCHEDIT_MODEL_DIR).toMatch(/^\/models\//);
    expect(env.NODE_ENV).toBe("production");
  });

  it("starts through tini and the entrypoint, whose node targets exist", () => {
    expect(keyword(finalStage(), "ENTRYPOINT").map(text)).toEqual([
      '["/usr/bin/tini", "-g", "--", "/app/infra/runner/entrypoint.sh"]',
    ]);
    const entrypoint = readFileSync(join(import.meta.dirname, "entrypoint.sh"), "utf8");
    const targets = [...entrypoint.matchAll(/node --import tsx (\S+)/g)].map((match) => match[1]!);
    expect(new Set(targets)).toEqual(new Set(["infra/runner/sync-model-cli.ts", "gpu-runner/src/service/main.ts"]));
    for (const target of targets) expect(existsSync(join(repoRoot, target)), target).toBe(true);
  });

  it("copies the manifest of every workspace it installs before npm ci, and their sources into the runtime", () => {
    const deps = stages()[0]!;
    const ci = keyword(deps, "RUN").find((run) => text(run).startsWith("npm ci"))!;
    const workspaces = [...text(ci).matchAll(/--workspace (\S+)/g)].map((match) => match[1]!);
    expect(new Set(workspaces)).toEqual(new Set(["shared", "gpu-runner", "infra"]));
    const copiedBeforeCi = keyword(deps, "COPY")
      .filter((copy) => copy.getRange().start.line < ci.getRange().start.line)
      .flatMap((copy) => text(copy).split(/\s+/).slice(0, -1));
    for (const workspace of workspaces) expect(copiedBeforeCi, workspace).toContain(`${workspace}/package.json`);
    const runtimeCopies = keyword(finalStage(), "COPY").map(text);
    expect(runtimeCopies).toEqual(expect.arrayContaining(["shared shared", "gpu-runner gpu-runner"]));
  });
});

describe("runner Dockerfile.dockerignore", () => {
  /** Whether an allow-list entry (`!path` or `!dir/**`) lets `path` into the context. */
  const allowed = (path: string) =>
    ignoreLines.some((line) => line === `!${path}` || (line.endsWith("/**") && path.startsWith(line.slice(1, -2))));

  it("is an allow-list: everything is excluded first", () => {
    expect(ignoreLines[0]).toBe("*");
  });

  it("lets in every path the Dockerfile copies from the context", () => {
    const contextCopies = stages()
      .flatMap((stage) => keyword(stage, "COPY"))
      .filter((copy) => (copy as Copy).getFromFlag() === null)
      .flatMap((copy) => text(copy).split(/\s+/).slice(0, -1));
    expect(contextCopies.length).toBeGreaterThan(10);
    for (const path of contextCopies) {
      const whole = path === "shared" || path === "gpu-runner";
      expect(whole ? allowed(`${path}/src/index.ts`) : allowed(path), path).toBe(true);
      expect(existsSync(join(repoRoot, path)), path).toBe(true);
    }
  });

  it("never lets in local secrets, state, dependencies or tests", () => {
    for (const path of [
      ".dev.vars",
      ".wrangler/state",
      "node_modules/zod/package.json",
      "models/tiny",
      ".git/config",
    ]) {
      expect(allowed(path), path).toBe(false);
    }
    expect(ignoreLines).toContain("**/*.test.ts");
  });
});
