/** @module generate-tiny-models: `npm run models:tiny` (re)writes every generated test model under models/tiny/. */
import { join } from "node:path";
import { tinyModelsRoot } from "../src/model/default-model-dir.js";
import { tinyModelSpecs } from "../src/model/tiny/tiny-model-spec.js";
import { writeTinyModel } from "../src/model/tiny/write-tiny-model.js";

const root = process.argv[2] ?? tinyModelsRoot;
for (const spec of tinyModelSpecs) {
  const dir = join(root, spec.name);
  await writeTinyModel(dir, spec);
  process.stderr.write(`wrote ${dir}\n`);
}
