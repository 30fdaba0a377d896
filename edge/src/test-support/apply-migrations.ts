/** @module apply-migrations: vitest setup file: brings each test file's (isolated) D1 up to the current schema. */
import { applyD1Migrations, env } from "cloudflare:test";
import { inject } from "vitest";

await applyD1Migrations(env.DB, inject("d1Migrations"));
