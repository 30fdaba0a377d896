import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalS3, s3rverCredentials, startLocalS3 } from "../testing/local-s3.js";
import { localPathFor, type ModelSource, parseSyncEnv, syncModel } from "./sync-model.js";

const bucket = "models";
const modelFiles: Record<string, Uint8Array> = {
  "unet/model.onnx": new Uint8Array(3_000).fill(1),
  "unet/model.onnx_data": Uint8Array.from({ length: 70_000 }, (_, i) => i % 251),
  "text_encoder/model.onnx": new Uint8Array(1_200).fill(2),
  "tokenizer/vocab.json": new TextEncoder().encode('{"a</w>": 0}'),
  "tokenizer/merges.txt": new TextEncoder().encode("#version: 0.2\n"),
  "model_index.json": new TextEncoder().encode("{}"),
};
const credentials = s3rverCredentials;

let s3: LocalS3;
let endpoint: string;
let workDir: string;

const source = (prefix: string): ModelSource => ({ endpoint, region: "us-east-1", bucket, prefix, ...credentials });

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "stochedit-infra-sync-"));
  s3 = await startLocalS3(bucket);
  endpoint = s3.endpoint;
  for (const [path, bytes] of Object.entries(modelFiles)) await s3.put(`sd15-fp16/${path}`, bytes);
  // A sibling folder whose name starts like the prefix: must not be copied.
  await s3.put("sd15-fp16-old/unet/model.onnx", new Uint8Array(10));
});

afterAll(async () => {
  await s3.close();
  await rm(workDir, { recursive: true, force: true });
});

describe("syncModel", () => {
  it("copies every object below the prefix, listing page by page, and nothing beside it", async () => {
    const target = join(workDir, "first");
    const report = await syncModel(source("sd15-fp16/"), target, { pageSize: 2, concurrency: 3 });
    expect(report).toEqual({
      files: 6,
      downloaded: 6,
      bytesDownloaded: Object.values(modelFiles).reduce((sum, bytes) => sum + bytes.length, 0),
    });
    for (const [path, bytes] of Object.entries(modelFiles)) {
      expect(new Uint8Array(await readFile(join(target, path))), path).toEqual(bytes);
    }
    await expect(readFile(join(workDir, "first-old/unet/model.onnx"))).rejects.toThrow(/ENOENT/);
  });

  it("keeps files already there with the listed size and replaces the others", async () => {
    const target = join(workDir, "restart");
    await syncModel(source("sd15-fp16/"), target);
    await writeFile(join(target, "tokenizer/merges.txt"), "truncated");
    const report = await syncModel(source("sd15-fp16/"), target);
    expect(report.files).toBe(6);
    expect(report.downloaded).toBe(1);
    expect(await readFile(join(target, "tokenizer/merges.txt"), "utf8")).toBe("#version: 0.2\n");
  });

  it("fails when the prefix holds nothing, naming the prefix", async () => {
    await expect(syncModel(source("no-such-model/"), join(workDir, "empty"))).rejects.toThrow(
      "no objects under s3://models/no-such-model/",
    );
  });

  it("fails when the store refuses the credentials", async () => {
    const wrong = { ...source("sd15-fp16/"), accessKeyId: "NOT-S3RVER" };
    await expect(syncModel(wrong, join(workDir, "denied"))).rejects.toThrow(/answered 403/);
  });
});

describe("localPathFor", () => {
  it("places a key below the target folder", () => {
    expect(localPathFor("/models/sd15", "sd15/", "sd15/unet/model.onnx")).toBe("/models/sd15/unet/model.onnx");
  });

  it("refuses keys that would leave the target folder", () => {
    for (const key of ["sd15/../etc/passwd", "sd15/unet/../../x", "sd15/", "sd15//etc/passwd"]) {
      expect(() => localPathFor("/models/sd15", "sd15/", key), key).toThrow(/refusing object key/);
    }
  });
});

describe("parseSyncEnv", () => {
  const env = {
    STOCHEDIT_MODEL_S3_URI: "s3://models/sd15-fp16",
    STOCHEDIT_MODEL_S3_ENDPOINT: "https://account.r2.cloudflarestorage.com/",
    STOCHEDIT_MODEL_DIR: "/models/sd15",
    AWS_ACCESS_KEY_ID: "id",
    AWS_SECRET_ACCESS_KEY: "secret",
  };

  it("reads bucket, prefix and endpoint", () => {
    expect(parseSyncEnv(env)).toEqual({
      source: {
        endpoint: "https://account.r2.cloudflarestorage.com",
        region: "auto",
        bucket: "models",
        prefix: "sd15-fp16/",
        accessKeyId: "id",
        secretAccessKey: "secret",
      },
      targetDir: "/models/sd15",
    });
  });

  it("names every bad variable at once", () => {
    const bad = { ...env, STOCHEDIT_MODEL_S3_URI: "models/sd15", AWS_SECRET_ACCESS_KEY: undefined };
    expect(() => parseSyncEnv(bad)).toThrow(
      /STOCHEDIT_MODEL_S3_URI: must look like s3:\/\/bucket\/prefix\/; AWS_SECRET_ACCESS_KEY/,
    );
  });
});

describe("sync-model-cli", () => {
  it("exits 2 with the configuration problem when a variable is missing", async () => {
    const run = promisify(execFile)(process.execPath, ["--import", "tsx", "runner/sync-model-cli.ts"], {
      cwd: join(import.meta.dirname, ".."),
      env: { PATH: process.env.PATH },
    });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/STOCHEDIT_MODEL_S3_URI/) });
  });

  it("copies the model and logs a summary line", async () => {
    const target = join(workDir, "cli");
    const { stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "runner/sync-model-cli.ts"], {
      cwd: join(import.meta.dirname, ".."),
      env: {
        PATH: process.env.PATH,
        STOCHEDIT_MODEL_S3_URI: `s3://${bucket}/sd15-fp16/`,
        STOCHEDIT_MODEL_S3_ENDPOINT: endpoint,
        STOCHEDIT_MODEL_DIR: target,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    });
    const summary = JSON.parse(stderr.trim().split("\n").at(-1) ?? "{}");
    expect(summary).toMatchObject({ msg: "model sync done", files: 6, downloaded: 6 });
    expect(new Uint8Array(await readFile(join(target, "unet/model.onnx_data")))).toEqual(
      modelFiles["unet/model.onnx_data"],
    );
  });
});
