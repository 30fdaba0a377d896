/**
 * @module python-env: a Python virtual environment with optimize-sd-onnx.py's pinned requirements, made once per
 * machine and requirements file (cached under ~/.cache/stochedit, outside every checkout) for the tests and the bench
 * that run it.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const requirementsFile = new URL("./optimize-sd-onnx.requirements.txt", import.meta.url).pathname;

/** The environment's python3; creates the environment first when this requirements file has none yet. */
export async function ensurePythonEnv(): Promise<string> {
  const digest = createHash("sha256")
    .update(await readFile(requirementsFile))
    .digest("hex")
    .slice(0, 12);
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "stochedit");
  const dir = join(cache, `optimize-python-${digest}`);
  const python = join(dir, "bin/python3");
  if (existsSync(python)) return python;
  // Built beside and renamed into place: a half-made environment (an interrupted install) is never used.
  const building = `${dir}.${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await run("python3", ["-m", "venv", building]);
  // --retries 0: where the default index is unreachable, go on at once with the configured others.
  await run(join(building, "bin/pip"), ["install", "-q", "--retries", "0", "--timeout", "20", "-r", requirementsFile], {
    maxBuffer: 16 << 20,
  });
  await rename(building, dir).catch(async (error: NodeJS.ErrnoException) => {
    // Another test process finished first: use its environment.
    if (!existsSync(python)) throw error;
    await rm(building, { recursive: true, force: true });
  });
  return python;
}
