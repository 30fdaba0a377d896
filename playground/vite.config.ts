/**
 * @module vite.config: the page builds into served/playground/, which the edge serves at /playground/; the same build
 * copies Swagger UI into served/docs/swagger-ui/ for the edge's /docs page.
 */
import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";
import { swaggerUiAssets } from "./swagger-ui-assets.js";

/** `npm run dev -w playground` proxies the API to the edge of `npm start`. */
const edgeUrl = process.env.STOCHEDIT_EDGE_URL ?? "http://127.0.0.1:8787";
/** wrangler.toml's [assets] directory. */
const servedDir = fileURLToPath(new URL("served", import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/playground/",
  // @stochedit/client's source, not its dist (which exists only once the package is packed).
  resolve: { conditions: ["@stochedit/source", ...defaultClientConditions] },
  build: {
    outDir: "served/playground",
    emptyOutDir: true,
    target: "es2022",
    // The samples' pictures (docs/examples/) stay files next to the page rather than data: URLs in the script.
    assetsInlineLimit: 0,
  },
  plugins: [swaggerUiAssets(servedDir)],
  server: { proxy: { "/v1": edgeUrl } },
});
