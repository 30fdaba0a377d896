import { describe, expect, it } from "vitest";
import { mintApiKey, parseApiKey } from "./api-key-format.js";
import { sha256Hex } from "./digest.js";

describe("api key format", () => {
  it("mints sk_live_<16>_<32> keys whose stored digest is the SHA-256 of the whole key", async () => {
    const minted = await mintApiKey("live");
    expect(minted.key).toMatch(/^sk_live_[A-Za-z0-9]{16}_[A-Za-z0-9]{32}$/);
    expect(minted.prefix).toBe(`sk_live_${minted.id}`);
    expect(minted.key.startsWith(`${minted.prefix}_`)).toBe(true);
    expect(minted.keySha256).toBe(await sha256Hex(minted.key));
    expect(minted.keySha256).not.toContain(minted.key.slice(-32));
  });

  it("mints a different secret every time", async () => {
    const keys = await Promise.all(Array.from({ length: 20 }, () => mintApiKey("test")));
    expect(new Set(keys.map((k) => k.key)).size).toBe(20);
    expect(keys.every((k) => k.key.startsWith("sk_test_"))).toBe(true);
  });

  it("parses the mode and public id of a well-formed key", async () => {
    const minted = await mintApiKey("test");
    expect(parseApiKey(minted.key)).toEqual({ mode: "test", id: minted.id });
  });

  it.each([
    ["an empty string", ""],
    ["another prefix", "pk_live_0123456789abcdef_0123456789abcdef0123456789abcdef"],
    ["an unknown mode", "sk_prod_0123456789abcdef_0123456789abcdef0123456789abcdef"],
    ["a short secret", "sk_live_0123456789abcdef_0123456789abcdef"],
    ["a symbol in the id", "sk_live_0123456789abcde-_0123456789abcdef0123456789abcdef"],
    ["trailing text", "sk_live_0123456789abcdef_0123456789abcdef0123456789abcdef "],
  ])("rejects %s", (_, text) => {
    expect(parseApiKey(text)).toBeUndefined();
  });
});
