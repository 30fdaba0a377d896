// Installs dependencies with `npm ci` when node_modules is missing, so `npm start` / `npm test` work on a fresh clone.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync(new URL("../node_modules/.package-lock.json", import.meta.url))) {
  console.log("node_modules missing: running npm ci");
  execSync("npm ci", { stdio: "inherit", env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" } });
}
