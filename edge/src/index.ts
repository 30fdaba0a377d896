/** @module index: the worker entry: the Hono app as fetch handler, the webhook queue consumer, and the Durable Objects. */
import { app } from "./app.js";
import { deliverWebhookBatch } from "./webhooks/deliver-webhooks.js";

export { Dispatcher } from "./dispatch/dispatcher.js";
export { RateLimiter } from "./ratelimit/rate-limiter.js";

export default {
  fetch: app.fetch,
  queue: deliverWebhookBatch,
} satisfies ExportedHandler<Env>;
