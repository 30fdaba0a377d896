import { describe, expect, it } from "vitest";
import { GaussianRng } from "../diffusion/gaussian-rng.js";
import { GaussianStream, idleNoiseThreads } from "./gaussian-stream.js";

// A file of its own: once a thread stays silent, every later stream of the process draws on its reader's thread.
describe("GaussianStream when its thread stays silent", () => {
  it("draws the rest itself from where the thread stopped, and so does every later stream", () => {
    const expected = new GaussianRng(21).fill(new Float32Array(70_000));
    // A thread that draws: the first values come from its ring.
    const stream = new GaussianStream(21, { ringValues: 1 << 15, chunkValues: 1 << 10 });
    const first = stream.fill(new Float32Array(5_000));
    expect(first).toEqual(expected.subarray(0, 5_000));
    // A new thread takes longer than 1 ms to start and draw: this stream draws its values itself from the start.
    expect(idleNoiseThreads()).toBe(0);
    const silent = new GaussianStream(22, { silenceMs: 1 });
    expect(silent.fill(new Float32Array(1000))).toEqual(new GaussianRng(22).fill(new Float32Array(1000)));
    silent.close();
    // Its thread was given up, not given back.
    expect(idleNoiseThreads()).toBe(0);
    // The first stream's thread keeps drawing, so it reads on as before; a stream made now draws on this thread.
    expect(stream.fill(new Float32Array(65_000))).toEqual(expected.subarray(5_000));
    stream.close();
    expect(idleNoiseThreads()).toBe(1);
    const later = new GaussianStream(23);
    // It took no thread: it draws here.
    expect(idleNoiseThreads()).toBe(1);
    expect(later.fill(new Float32Array(100))).toEqual(new GaussianRng(23).fill(new Float32Array(100)));
    later.close();
  });
});
