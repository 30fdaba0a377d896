/**
 * @module index: the worker entry: the Hono app as fetch handler, the webhook queue consumer, the cron sweeps (owed
 * webhooks, retention), and the Durable Objects.
 */
import { app } from "./app.js";
import { readConfig } from "./config.js";
import { sweepRetention } from "./edits/sweep-retention.js";
import { deliverWebhookBatch } from "./webhooks/deliver-webhooks.js";
import { sweepOwedWebhooks } from "./webhooks/sweep-owed-webhooks.js";

export { ReplayGuard } from "./auth/replay-guard.js";
export { Dispatcher } from "./dispatch/dispatcher.js";
export { RateLimiter } from "./ratelimit/rate-limiter.js";

export default {
  fetch: app.fetch,
  queue: deliverWebhookBatch,
  // wrangler.toml's only cron ("* * * * *"): every minute.
  scheduled: async (_controller, env) => {
    const nowMs = Date.now();
    await Promise.all([sweepOwedWebhooks(env, { nowMs }), sweepRetention(env.DB, readConfig(env).s3, { nowMs })]);
  },
} satisfies ExportedHandler<Env>;
