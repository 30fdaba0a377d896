/** @module vite.config: the page builds into served/playground/, which the edge serves at /playground/. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** `npm run dev -w playground` proxies the API to the edge of `npm start`. */
const edgeUrl = process.env.STOCHEDIT_EDGE_URL ?? "http://127.0.0.1:8787";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/playground/",
  build: {
    outDir: "served/playground",
    emptyOutDir: true,
    target: "es2022",
  },
  server: { proxy: { "/v1": edgeUrl } },
});
