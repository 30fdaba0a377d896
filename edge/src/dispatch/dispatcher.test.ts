import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queuedEditIds } from "../test-support/edits.js";
import type { ReadyJob } from "./dispatcher.js";

const job = (editId: string, enqueuedAtMs: number): ReadyJob => ({
  editId,
  accountId: "acct_dispatch00000000000",
  model: "stochedit-mini",
  enqueuedAtMs,
});

describe("Dispatcher", () => {
  it("keeps the ready queue first in, first out, once per edit, with its backlog", async () => {
    const stub = env.DISPATCHER.get(env.DISPATCHER.idFromName("test-fifo"));
    await stub.enqueue(job("ed_fifo0000000000000001", 1_000));
    await stub.enqueue(job("ed_fifo0000000000000002", 2_000));
    await stub.enqueue(job("ed_fifo0000000000000001", 3_000));
    await stub.enqueue(job("ed_fifo0000000000000003", 4_000));
    expect(await queuedEditIds(stub)).toEqual([
      "ed_fifo0000000000000001",
      "ed_fifo0000000000000002",
      "ed_fifo0000000000000003",
    ]);
    expect(await stub.backlog()).toEqual({ ready: 3, leased: 0, oldestReadyAtMs: 1_000 });
  });

  it("removes a canceled job that waits, flags one a runner holds, and knows nothing of others", async () => {
    const stub = env.DISPATCHER.get(env.DISPATCHER.idFromName("test-cancel"));
    await stub.enqueue(job("ed_cancel00000000000001", 1_000));
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec(
        `INSERT INTO leases (lease_id, edit_id, account_id, model, runner_id, attempt, expires_at_ms)
         VALUES ('lease-1', 'ed_cancel00000000000002', 'acct_x', 'stochedit-mini', 'runner-1', 1, 99999)`,
      );
    });

    expect(await stub.cancel("ed_cancel00000000000001")).toBe("removed");
    expect(await stub.cancel("ed_cancel00000000000002")).toBe("lease_marked");
    expect(await stub.cancel("ed_cancel00000000000003")).toBe("absent");
    expect(await stub.backlog()).toEqual({ ready: 0, leased: 1, oldestReadyAtMs: null });
    const flagged = await runInDurableObject(stub, (_, state) =>
      state.storage.sql.exec("SELECT cancel_requested FROM leases WHERE lease_id = 'lease-1'").one(),
    );
    expect(flagged).toEqual({ cancel_requested: 1 });
  });
});
