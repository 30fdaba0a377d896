import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queuedEditIds } from "../test-support/edits.js";
import type { ReadyJob } from "./dispatcher.js";

const job = (editId: string, enqueuedAtMs = Date.now(), model = "stochedit-mini"): ReadyJob => ({
  editId,
  accountId: "acct_dispatch00000000000",
  model,
  enqueuedAtMs,
});

const dispatcher = (name: string) => env.DISPATCHER.get(env.DISPATCHER.idFromName(name));

describe("Dispatcher", () => {
  it("keeps the ready queue first in, first out, once per edit, with its backlog", async () => {
    const stub = dispatcher("test-fifo");
    const nowMs = Date.now();
    await stub.enqueue(job("ed_fifo0000000000000001", nowMs - 3_000));
    await stub.enqueue(job("ed_fifo0000000000000002", nowMs - 2_000));
    await stub.enqueue(job("ed_fifo0000000000000001", nowMs - 1_000));
    await stub.enqueue(job("ed_fifo0000000000000003", nowMs));
    expect(await queuedEditIds(stub)).toEqual([
      "ed_fifo0000000000000001",
      "ed_fifo0000000000000002",
      "ed_fifo0000000000000003",
    ]);
    expect(await stub.backlog()).toEqual({ ready: 3, leased: 0, oldestReadyAtMs: nowMs - 3_000 });
  });

  it("leases the oldest job of the runner's models, with a fresh attempt and a TTL", async () => {
    const stub = dispatcher("test-claim");
    await stub.enqueue(job("ed_claim000000000000001", Date.now(), "sd15-test"));
    await stub.enqueue(job("ed_claim000000000000002"));
    expect(await stub.claim("runner-1", ["other-model"])).toBeNull();

    const grant = await stub.claim("runner-1", ["stochedit-mini"]);
    expect(grant).toMatchObject({ editId: "ed_claim000000000000002", attempt: 1, ttlMs: 60_000 });
    expect(grant!.leaseId).toMatch(/^lease_[A-Za-z0-9]{32}$/);
    expect(grant!.expiresAtMs).toBeGreaterThan(Date.now());
    expect(await stub.holds(grant!.editId, grant!.leaseId)).toBe("held");
    expect(await stub.holds(grant!.editId, "lease_someoneelse0000000000")).toBe("lost");
    expect(await stub.backlog()).toMatchObject({ ready: 1, leased: 1 });
    const scheduled = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(scheduled).toBeLessThanOrEqual(grant!.expiresAtMs);
  });

  it("gives a handed-back job its place at the head of the queue without counting the attempt", async () => {
    const stub = dispatcher("test-release");
    await stub.enqueue(job("ed_release0000000000001"));
    await stub.enqueue(job("ed_release0000000000002"));
    const first = (await stub.claim("runner-1", ["stochedit-mini"]))!;
    expect(await stub.release(first.editId, first.leaseId)).toEqual({ outcome: "requeued", attempts: 0 });
    expect(await queuedEditIds(stub)).toEqual(["ed_release0000000000001", "ed_release0000000000002"]);
    expect(await stub.heartbeat(first.editId, first.leaseId)).toEqual({ hold: "lost" });

    const again = (await stub.claim("runner-2", ["stochedit-mini"]))!;
    expect(again).toMatchObject({ editId: first.editId, attempt: 1 });
    expect(again.leaseId).not.toBe(first.leaseId);
  });

  it("requeues a retryable failure while attempts remain (MAX_ATTEMPTS = 2 here), then leaves the end to the caller", async () => {
    const stub = dispatcher("test-failures");
    await stub.enqueue(job("ed_failure0000000000001"));
    const first = (await stub.claim("runner-1", ["stochedit-mini"]))!;
    expect(await stub.afterFailure(first.editId, first.leaseId, true)).toEqual({ outcome: "requeued", attempts: 1 });
    const second = (await stub.claim("runner-1", ["stochedit-mini"]))!;
    expect(second.attempt).toBe(2);
    expect(await stub.afterFailure(second.editId, second.leaseId, true)).toEqual({ outcome: "final", attempt: 2 });
    // Still leased until the caller has settled the edit and finishes the lease.
    expect(await stub.holds(second.editId, second.leaseId)).toBe("held");
    await stub.finish(second.editId, second.leaseId);
    expect(await stub.backlog()).toMatchObject({ ready: 0, leased: 0 });
  });

  it("removes a canceled job that waits, flags one a runner holds, and knows nothing of others", async () => {
    const stub = dispatcher("test-cancel");
    await stub.enqueue(job("ed_cancel00000000000002"));
    const held = (await stub.claim("runner-1", ["stochedit-mini"]))!;
    await stub.enqueue(job("ed_cancel00000000000001"));

    expect(await stub.cancel("ed_cancel00000000000001")).toBe("removed");
    expect(await stub.cancel("ed_cancel00000000000002")).toBe("lease_marked");
    expect(await stub.cancel("ed_cancel00000000000003")).toBe("absent");
    expect(await stub.backlog()).toEqual({ ready: 0, leased: 1, oldestReadyAtMs: null });
    expect(await stub.heartbeat(held.editId, held.leaseId)).toMatchObject({ hold: "canceled" });
    expect(await stub.holds(held.editId, held.leaseId)).toBe("canceled");
    // The runner's answer to the cancel: the lease is dropped, the job not queued again.
    expect(await stub.release(held.editId, held.leaseId)).toEqual({ outcome: "canceled" });
    expect(await stub.backlog()).toEqual({ ready: 0, leased: 0, oldestReadyAtMs: null });
  });

  it("refuses every call on a lease whose deadline has passed, before the alarm has run", async () => {
    const stub = dispatcher("test-deadline");
    await stub.enqueue(job("ed_deadline000000000001"));
    const grant = (await stub.claim("runner-1", ["stochedit-mini"]))!;
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec("UPDATE leases SET expires_at_ms = ? WHERE lease_id = ?", Date.now() - 1, grant.leaseId);
    });
    expect(await stub.heartbeat(grant.editId, grant.leaseId)).toEqual({ hold: "lost" });
    expect(await stub.progress(grant.editId, grant.leaseId, 1, 10)).toEqual({ hold: "lost" });
    expect(await stub.holds(grant.editId, grant.leaseId)).toBe("lost");
    expect(await stub.release(grant.editId, grant.leaseId)).toEqual({ outcome: "lost" });
    expect(await stub.afterFailure(grant.editId, grant.leaseId, true)).toEqual({ outcome: "lost" });
  });
});
