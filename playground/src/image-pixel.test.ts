import { describe, expect, it } from "vitest";
import { imagePixelAt } from "./image-pixel.js";

const image = { width: 112, height: 80 };

describe("imagePixelAt", () => {
  it("scales a position on the displayed box to the image's pixel grid", () => {
    const box = { left: 10, top: 20, width: 280, height: 200 }; // shown at 2.5x
    expect(imagePixelAt(10, 20, box, image)).toEqual([0, 0]);
    expect(imagePixelAt(10 + 100, 20 + 50, box, image)).toEqual([40, 20]);
    expect(imagePixelAt(10 + 102.4, 20 + 52.4, box, image)).toEqual([40, 20]);
    expect(imagePixelAt(10 + 102.5, 20 + 52.5, box, image)).toEqual([41, 21]);
  });

  it("keeps positions on or past the edges inside the image", () => {
    const box = { left: 0, top: 0, width: 56, height: 40 }; // shown at half size
    expect(imagePixelAt(56, 40, box, image)).toEqual([111, 79]);
    expect(imagePixelAt(-5, 400, box, image)).toEqual([0, 79]);
  });
});
