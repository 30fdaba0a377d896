import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { StocheditClient } from "./client.js";
import { IntegrityError } from "./errors.js";
import type { Edit } from "./schemas.js";
import { apiBase, editId, editOf, fakeFetch, type Handler, json } from "./testing/fake-api.js";

const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
const sha256 = createHash("sha256").update(bytes).digest("hex");

function succeededWith(url: string, expiresAt: string, hash = sha256): Edit {
  return editOf({
    status: "succeeded",
    output: { url, expires_at: expiresAt, width: 96, height: 64, sha256: hash, content_type: "image/png" },
  });
}

function clientWith(handler: Handler) {
  const api = fakeFetch(handler);
  return { api, client: new StocheditClient({ apiKey: "k", baseUrl: apiBase, fetch: api.fetch }) };
}

describe("downloadOutput", () => {
  it("downloads through the presigned URL, without the key, and checks the SHA-256", async () => {
    const edit = succeededWith("https://bucket.storage.test/out.png?sig=1", "2999-01-01T00:00:00Z");
    const { api, client } = clientWith(() => new Response(bytes));
    const output = await client.downloadOutput(edit);
    expect(output).toMatchObject({ contentType: "image/png", width: 96, height: 64, sha256, verified: true });
    expect(output.bytes).toEqual(bytes);
    expect(api.requests.map((r) => r.route)).toEqual(["GET bucket.storage.test"]);
    expect(api.requests[0]!.headers.get("authorization")).toBeNull();
  });

  it("reads the edit again for a fresh URL when its URL has expired, or when given only the id", async () => {
    const fresh = succeededWith("https://bucket.storage.test/out.png?sig=2", "2999-01-01T00:00:00Z");
    const { api, client } = clientWith((request) =>
      request.route === `GET /v1/edits/${editId}` ? json(fresh) : new Response(bytes),
    );
    await client.downloadOutput(succeededWith("https://bucket.storage.test/out.png?sig=1", "2020-01-01T00:00:00Z"));
    await client.downloadOutput(editId);
    expect(api.requests.map((r) => r.url)).toEqual([
      `${apiBase}/v1/edits/${editId}`,
      "https://bucket.storage.test/out.png?sig=2",
      `${apiBase}/v1/edits/${editId}`,
      "https://bucket.storage.test/out.png?sig=2",
    ]);
  });

  it("refuses bytes that are not what the API recorded, and an edit without output", async () => {
    const { client } = clientWith(() => new Response(bytes));
    const tampered = succeededWith("https://bucket.storage.test/out.png", "2999-01-01T00:00:00Z", "f".repeat(64));
    await expect(client.downloadOutput(tampered)).rejects.toBeInstanceOf(IntegrityError);
    await expect(client.downloadOutput(editOf({ status: "failed" }))).rejects.toThrow("has no output (it is failed)");
  });
});
