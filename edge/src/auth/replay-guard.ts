/**
 * @module replay-guard: the ReplayGuard Durable Object, which remembers the nonce of every signed internal request
 * until its timestamp leaves the replay window, so that each signed request is accepted once: a captured claim,
 * heartbeat or complete sent again within the 60 s is refused.
 *
 * Why here: a Durable Object's SQLite write is local to the object (microseconds), where D1 would add a write to the
 * one primary database per runner call (heartbeats write nothing to D1 today), and the Dispatcher, the one object all
 * scheduling goes through, is kept free of a second call per request. The cost is one Durable Object round trip per
 * internal request. The nonces are spread over 16 objects by their first hex digit, so no one object carries them all.
 */
import { DurableObject } from "cloudflare:workers";

const schema = [
  "CREATE TABLE IF NOT EXISTS seen_nonces (nonce TEXT PRIMARY KEY, forget_at_ms INTEGER NOT NULL)",
  "CREATE INDEX IF NOT EXISTS seen_nonces_forget ON seen_nonces (forget_at_ms)",
];

export class ReplayGuard extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const statement of schema) ctx.storage.sql.exec(statement);
  }

  /**
   * True the first time `nonce` is seen, false for a replay. It is remembered until `staleAtMs`, from when a request
   * carrying it is refused as stale anyway. Calls to one object run one at a time, so two copies of a request sent
   * together cannot both be first.
   */
  firstUse(nonce: string, staleAtMs: number): boolean {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM seen_nonces WHERE forget_at_ms <= ?", Date.now());
    const inserted = sql
      .exec(
        "INSERT INTO seen_nonces (nonce, forget_at_ms) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
        nonce,
        staleAtMs,
      )
      .toArray();
    return inserted.length === 1;
  }
}

/** The object that remembers `nonce` (a replay carries the same nonce, so it meets the same object). */
export function replayGuardFor(env: Env, nonce: string): DurableObjectStub<ReplayGuard> {
  return env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName(`nonces-${nonce.charAt(0)}`));
}
