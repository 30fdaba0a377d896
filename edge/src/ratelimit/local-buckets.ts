/**
 * @module local-buckets: token buckets in this isolate's memory, by name, the least recently used dropped past a
 * bound so memory stays flat. Deciding here costs no round trip; a dropped bucket comes back full, which only ever
 * lets more through.
 */
import { BoundedMap } from "./bounded-map.js";
import { type Bucket, type RateDecision, takeToken } from "./token-bucket.js";

export class LocalBuckets {
  readonly #buckets: BoundedMap<Bucket>;

  constructor(capacity: number) {
    this.#buckets = new BoundedMap(capacity);
  }

  take(name: string, limit: number, nowMs: number): RateDecision {
    const { bucket, decision } = takeToken(this.#buckets.get(name), limit, nowMs);
    this.#buckets.set(name, bucket);
    return decision;
  }
}
