/** @module index: the worker entry: the Hono app as fetch handler, and the Durable Object classes it binds. */
import { app } from "./app.js";

export { Dispatcher } from "./dispatch/dispatcher.js";
export { RateLimiter } from "./ratelimit/rate-limiter.js";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
