/** @module app: the edge's Hono app: request ids, body limit, auth per route family, routes, OpenAPI, problems. */
import { formatCredits, microCreditsPerCredit } from "@stochedit/shared";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { apiKeyAuth } from "./auth/api-key.js";
import { operatorAuth } from "./auth/operator-token.js";
import { allowedMethodsOf } from "./http/allowed-methods.js";
import { ApiError } from "./http/api-error.js";
import { problemResponse, toApiError } from "./http/problem-response.js";
import { newRouter } from "./http/router.js";
import { ipRateLimit } from "./ratelimit/ip-rate-limit.js";
import { rateLimit } from "./ratelimit/rate-limit.js";
import { accountRoutes } from "./routes/account.js";
import { adminRoutes } from "./routes/admin.js";
import { docsRoutes } from "./routes/docs.js";
import { editEventRoutes } from "./routes/edit-events.js";
import { editPreviewRoutes } from "./routes/edit-previews.js";
import { editRoutes } from "./routes/edits.js";
import { healthRoutes } from "./routes/health.js";
import { internalRoutes } from "./routes/internal.js";
import { quoteRoutes } from "./routes/quote.js";
import { uploadRoutes } from "./routes/uploads.js";
import { webhookRoutes } from "./routes/webhooks.js";

/** JSON bodies are small (the largest is an edit with 20 drag pairs); images go straight to S3. */
export const maxBodyBytes = 64 * 1024;

export const app = newRouter();

app.use(requestId({ headerName: "x-request-id", limitLength: 128 }));
app.use(
  bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new ApiError("payload_too_large", `request bodies are limited to ${maxBodyBytes} bytes`);
    },
  }),
);
// Per client address first, before any credential is looked up; then per key, once the key is known.
app.use("/v1/*", ipRateLimit(), apiKeyAuth(), rateLimit());
app.use("/admin/*", ipRateLimit(), operatorAuth());

app.route("/", accountRoutes);
app.route("/", uploadRoutes);
app.route("/", quoteRoutes);
app.route("/", editRoutes);
app.route("/", editEventRoutes);
app.route("/", editPreviewRoutes);
app.route("/", webhookRoutes);
app.route("/", adminRoutes);
app.route("/", internalRoutes);
app.route("/", docsRoutes);
app.route("/", healthRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
  type: "http",
  scheme: "bearer",
  description:
    "An API key, sk_live_<id>_<secret> or sk_test_<id>_<secret>. Test keys behave exactly like live ones except " +
    "that their edits cost nothing (quotes show the price; nothing is held or captured, ledger rows move 0 and are " +
    "marked livemode: false), run on a small deterministic model (the same output for the same seed), and see only " +
    "test data: edits, uploads, listings, Idempotency-Keys and ledger rows of one mode are invisible to the other; " +
    "webhooks of test edits carry livemode: false.",
});
app.openAPIRegistry.registerComponent("securitySchemes", "operatorToken", {
  type: "http",
  scheme: "bearer",
  description: "The operator token (OPERATOR_TOKEN secret), for /admin routes only",
});
app.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "stochedit API",
    version: "1.0.0",
    description:
      "Pay-per-edit image editing: SDE-Drag, inpainting and img2img with SDE (default) and ODE samplers. " +
      `Every amount (balance, held, price, charged) is integer micro-credits, 1 credit = ${microCreditsPerCredit}: ` +
      `"balance": ${100 * microCreditsPerCredit} is ${formatCredits(100 * microCreditsPerCredit)}. ` +
      "sk_test_ keys work in test mode: free, deterministic, and kept apart from live data (see the apiKey scheme).",
  },
});

/** Built from the finished route table: every route is registered above. */
const allowedMethods = allowedMethodsOf(app.routes);

/** A known path asked with a method it lacks is a 405 naming the methods it has; an unknown path is a 404. */
app.notFound((c) => {
  const allowed = allowedMethods(c.req.path);
  if (allowed.length > 0 && !allowed.includes(c.req.method)) {
    const methods = allowed.join(", ");
    return problemResponse(
      c,
      new ApiError("method_not_allowed", `${c.req.path} does not accept ${c.req.method}; it accepts ${methods}`, {
        headers: { Allow: methods },
      }),
    );
  }
  return problemResponse(c, new ApiError("not_found", `no route for ${c.req.method} ${c.req.path}`));
});
app.onError((error, c) => problemResponse(c, toApiError(error, c.get("requestId") ?? "")));
