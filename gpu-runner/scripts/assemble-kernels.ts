/**
 * @module assemble-kernels: `npm run kernels` assembles src/diffusion/kernels/kernels.wat into kernels-binary.ts
 * (the module as base64, so that it loads in every thread and bundle with no file beside it).
 */
import { readFile, writeFile } from "node:fs/promises";
import wabt from "wabt";

const kernelsDir = new URL("../src/diffusion/kernels/", import.meta.url);
export const watFile = new URL("kernels.wat", kernelsDir);
export const binaryFile = new URL("kernels-binary.ts", kernelsDir);

/** The module's bytes, as wabt assembles kernels.wat. */
export async function assembleKernels(): Promise<Uint8Array> {
  const module = (await wabt()).parseWat("kernels.wat", await readFile(watFile, "utf8"), { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** kernels-binary.ts for these bytes. */
export function binarySource(bytes: Uint8Array): string {
  return `/** @module kernels-binary: kernels.wat assembled by \`npm run kernels\` (generated: do not edit). */
export const kernelsWasmBase64 =
  "${Buffer.from(bytes).toString("base64")}";
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(binaryFile, binarySource(await assembleKernels()));
  process.stderr.write(`wrote ${binaryFile.pathname}\n`);
}
