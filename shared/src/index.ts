/** @module @stochedit/shared: schemas, pricing and limits used unchanged by the edge worker and the GPU runners. */
export * from "./account.js";
export * from "./credits.js";
export * from "./drag-split.js";
export * from "./edit.js";
export * from "./edit-request.js";
export * from "./events.js";
export * from "./geometry.js";
export * from "./ids.js";
export * from "./internal-auth.js";
export * from "./job-error.js";
export * from "./limits.js";
export * from "./presets.js";
export * from "./pricing.js";
export * from "./problem.js";
export * from "./runner-protocol.js";
export * from "./uploads.js";
export * from "./webhook-delivery.js";
