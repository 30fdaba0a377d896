/**
 * @module index: the worker entry: the Hono app as fetch handler, the webhook queue consumer, the cron sweep of owed
 * webhooks, and the Durable Objects.
 */
import { app } from "./app.js";
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
    await sweepOwedWebhooks(env, { nowMs: Date.now() });
  },
} satisfies ExportedHandler<Env>;
