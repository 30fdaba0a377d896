import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

interface R2CorsRule {
  allowed: { origins: string[]; methods: string[]; headers?: string[] };
  exposeHeaders?: string[];
  maxAgeSeconds?: number;
}

const cors = JSON.parse(readFileSync(join(import.meta.dirname, "r2-cors.json"), "utf8")) as { rules?: R2CorsRule[] };

describe("r2-cors.json", () => {
  it("has R2's shape (what `wrangler r2 bucket cors set` checks): a rules array with lowercase nested keys", () => {
    expect(Array.isArray(cors.rules)).toBe(true);
    expect(JSON.stringify(cors)).not.toMatch(/CORSRules|AllowedOrigins|AllowedMethods|AllowedHeaders/);
  });

  it("lets a browser PUT a presigned upload (content-type is signed) and GET the output", () => {
    const rule = cors.rules?.find((candidate) => candidate.allowed.methods.includes("PUT"));
    expect(rule?.allowed.methods).toEqual(expect.arrayContaining(["PUT", "GET"]));
    expect(rule?.allowed.headers).toContain("content-type");
    for (const origin of rule?.allowed.origins ?? []) expect(origin).toMatch(/^https:\/\/[^/*]+$/);
  });
});
