/** @module dev-vars: the local secrets in .dev.vars (gitignored), generated at first start and kept after. */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { s3rverCredentials } from "./local-s3.js";

/** Every secret wrangler.toml's `[secrets] required` names: without one, `wrangler dev` warns and its routes 503. */
export interface DevSecrets {
  readonly OPERATOR_TOKEN: string;
  readonly RUNNER_HMAC_SECRET: string;
  readonly METRICS_TOKEN: string;
  readonly S3_ACCESS_KEY_ID: string;
  readonly S3_SECRET_ACCESS_KEY: string;
}

/** 43 characters: the edge wants at least 32 for its tokens. */
const randomSecret = () => randomBytes(32).toString("base64url");

/** KEY=value lines; # comments and blank lines skipped; surrounding quotes dropped. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith("#")) continue;
    values[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return values;
}

/**
 * Reads `path` and adds what is missing: random operator token, runner HMAC secret and metrics token, s3rver's
 * fixed key pair. A value already there is kept, so the API key and D1 state of earlier starts stay valid (and a
 * .dev.vars written before a secret existed gets just that one added).
 */
export async function ensureDevVars(path: string): Promise<{ secrets: DevSecrets; created: string[] }> {
  const text = existsSync(path) ? await readFile(path, "utf8") : "";
  const existing = parseDotenv(text);
  const wanted: DevSecrets = {
    OPERATOR_TOKEN: existing.OPERATOR_TOKEN ?? randomSecret(),
    RUNNER_HMAC_SECRET: existing.RUNNER_HMAC_SECRET ?? randomSecret(),
    METRICS_TOKEN: existing.METRICS_TOKEN ?? randomSecret(),
    S3_ACCESS_KEY_ID: existing.S3_ACCESS_KEY_ID ?? s3rverCredentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: existing.S3_SECRET_ACCESS_KEY ?? s3rverCredentials.secretAccessKey,
  };
  const created = Object.keys(wanted).filter((key) => existing[key] === undefined);
  if (created.length > 0) {
    const header = text
      ? ""
      : "# Local secrets for `npm start` / `wrangler dev`, generated at first start. Never commit.\n";
    const added = created.map((key) => `${key}=${wanted[key as keyof DevSecrets]}`).join("\n");
    const separator = text && !text.endsWith("\n") ? "\n" : "";
    await writeFile(path, `${text}${separator}${header}${added}\n`, { mode: 0o600 });
  }
  return { secrets: wanted, created };
}
