import { describe, expect, it } from "vitest";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { GaussianStream, idleNoiseThreads, prestartNoiseThreads } from "./gaussian-stream.js";

/** Fills of these sizes, one after another, from a source. */
function draws(source: { fill(out: Float32Array): Float32Array }, sizes: readonly number[]): Float32Array[] {
  return sizes.map((size) => source.fill(new Float32Array(size)));
}

describe("GaussianStream", () => {
  it("gives GaussianRng's values, in its order, however the reads are split (odd sizes, past the ring's end)", () => {
    const sizes = [1, 3, 16384, 7, 5000, 40000, 2, 65536, 1, 99999];
    const size = { ringValues: 1 << 15, chunkValues: 1 << 10 };
    const stream = new GaussianStream(42, size);
    try {
      const expected = draws(new GaussianRng(42), sizes);
      expect(draws(stream, sizes)).toEqual(expected);
    } finally {
      stream.close();
    }
  });

  it("serves two streams at once, each its own seed's, and a closed stream's thread the next one", () => {
    const [a, b] = [new GaussianStream(1), new GaussianStream(2)];
    const sizes = [16384, 3, 200000];
    expect(draws(a, sizes)).toEqual(draws(new GaussianRng(1), sizes));
    expect(draws(b, sizes)).toEqual(draws(new GaussianRng(2), sizes));
    a.close();
    b.close();
    a.close();
    expect(() => a.fill(new Float32Array(1))).toThrow(/closed/);
    // The next streams run on the threads given back, from the start of their own seeds.
    const [c, d] = [new GaussianStream(1), new GaussianStream(3)];
    expect(draws(c, sizes)).toEqual(draws(new GaussianRng(1), sizes));
    expect(draws(d, [5])).toEqual(draws(new GaussianRng(3), [5]));
    c.close();
    d.close();
  });

  it("starts threads ahead of the streams that take them, and gets each back when its stream closes", () => {
    prestartNoiseThreads(idleNoiseThreads() + 2);
    const idle = idleNoiseThreads();
    const streams = [new GaussianStream(8), new GaussianStream(9)];
    expect(idleNoiseThreads()).toBe(idle - 2);
    expect(draws(streams[1]!, [1000])).toEqual(draws(new GaussianRng(9), [1000]));
    for (const stream of streams) stream.close();
    expect(idleNoiseThreads()).toBe(idle);
  });

  it("refuses a bad seed and a ring that is not a power of two above its chunk", () => {
    expect(() => new GaussianStream(-1)).toThrow(RangeError);
    expect(() => new GaussianStream(1, { ringValues: 3000, chunkValues: 1000 })).toThrow(/powers of two/);
    expect(() => new GaussianStream(1, { ringValues: 1024, chunkValues: 1024 })).toThrow(/chunk below ring/);
  });
});
