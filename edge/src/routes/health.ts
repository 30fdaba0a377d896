/**
 * @module routes/health: GET /healthz, a liveness answer that reads no storage. It names the instance when whoever
 * started the worker gave it one (`npm start` and the e2e stack do, per start), so a starter can tell its own edge
 * from another process answering on the same port.
 */
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env.js";

export const healthRoutes = new Hono<AppEnv>();

healthRoutes.get("/healthz", (c) => {
  const instance = c.env.EDGE_INSTANCE_ID;
  return c.json({ status: "ok", ...(instance && { instance }) });
});
