/** @module routes/docs: GET /docs, a Swagger UI page that renders /openapi.json (its assets come from a CDN). */
import { Hono } from "hono";
import type { AppEnv } from "../app-env.js";

/** Pinned so the page does not change under us; the browser fetches it, the worker never does. */
const swaggerUi = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14";

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>stochedit API</title>
  <link rel="stylesheet" href="${swaggerUi}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${swaggerUi}/swagger-ui-bundle.js" crossorigin></script>
  <script>window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });</script>
</body>
</html>`;

export const docsRoutes = new Hono<AppEnv>();

docsRoutes.get("/docs", (c) => c.html(page));
