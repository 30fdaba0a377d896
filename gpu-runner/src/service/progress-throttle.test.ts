import { describe, expect, it } from "vitest";
import { progressThrottle } from "./progress-throttle.js";

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("progressThrottle", () => {
  it("admits the first report at once and then at most one per interval", () => {
    const time = clock();
    const throttle = progressThrottle(1_000, time.now);
    const admitted: number[] = [];
    for (let ms = 0; ms <= 3_500; ms += 100) {
      if (throttle.admit()) {
        admitted.push(time.now());
        throttle.settled();
      }
      time.advance(100);
    }
    expect(admitted).toEqual([0, 1_000, 2_000, 3_000]);
  });

  it("holds further reports while one is in flight, even past the interval", () => {
    const time = clock();
    const throttle = progressThrottle(100, time.now);
    expect(throttle.admit()).toBe(true);
    time.advance(500);
    expect(throttle.admit()).toBe(false);
    throttle.settled();
    expect(throttle.admit()).toBe(true);
  });
});
