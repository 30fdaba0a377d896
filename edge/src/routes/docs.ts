/**
 * @module routes/docs: GET /docs, a Swagger UI page that renders /openapi.json. Swagger UI itself is a static asset
 * (swagger-ui-dist, copied to playground/served/docs/swagger-ui/ by the playground's build), so it works offline.
 */
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env.js";

/** Workers static assets (wrangler.toml [assets]); run_worker_first leaves this folder to the asset server. */
const swaggerUiPath = "/docs/swagger-ui";

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>stochedit API</title>
  <link rel="stylesheet" href="${swaggerUiPath}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${swaggerUiPath}/swagger-ui-bundle.js"></script>
  <script>window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });</script>
</body>
</html>`;

export const docsRoutes = new Hono<AppEnv>();

docsRoutes.get("/docs", (c) => c.html(page));
