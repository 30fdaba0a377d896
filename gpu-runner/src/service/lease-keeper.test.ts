import { describe, expect, it } from "vitest";
import type { JobStop } from "./job-stop.js";
import { startLeaseKeeper } from "./lease-keeper.js";

/** A keeper whose timer never fires in the test: the clock and the calls are driven by hand. */
function keeperAt(startMs: number) {
  let now = startMs;
  const stops: JobStop[] = [];
  const keeper = startLeaseKeeper({
    edge: {
      heartbeat: () => Promise.reject(new Error("no heartbeat expected in this test")),
    },
    jobId: "ed_0123456789abcdefABCD",
    leaseId: "lease_0123456789abcdef",
    leaseTtlMs: 1_000,
    intervalMs: 3_600_000,
    stop: (reason) => stops.push(reason),
    log: () => {},
    nowMs: () => now,
  });
  return { keeper, stops, advance: (ms: number) => (now += ms), now: () => now };
}

const status = (cancel: boolean) => ({ lease_expires_at: "2030-01-01T00:00:00.000Z", cancel_requested: cancel });

describe("startLeaseKeeper", () => {
  it("stops the job as lease_lost once the TTL has passed on the runner's clock", () => {
    const { keeper, stops, advance } = keeperAt(10_000);
    advance(999);
    keeper.checkNotExpired();
    expect(stops).toEqual([]);
    advance(1);
    keeper.checkNotExpired();
    expect(stops.map((s) => s.kind)).toEqual(["lease_lost"]);
    keeper.close();
  });

  it("counts an extension from when its call was sent, not from when the answer came", () => {
    const { keeper, stops, advance, now } = keeperAt(10_000);
    advance(800);
    const sentAt = now();
    advance(150);
    keeper.extended(sentAt, status(false));
    advance(849);
    keeper.checkNotExpired();
    expect(stops).toEqual([]);
    advance(1);
    keeper.checkNotExpired();
    expect(stops.map((s) => s.kind)).toEqual(["lease_lost"]);
    keeper.close();
  });

  it("stops the job as canceled when the edge asks, and only once", () => {
    const { keeper, stops, advance } = keeperAt(0);
    keeper.extended(0, status(true));
    advance(5_000);
    keeper.checkNotExpired();
    expect(stops.map((s) => s.kind)).toEqual(["canceled"]);
    keeper.close();
  });
});
