/** @module mask-layer: the painted mask at the image's own size: brush strokes add, eraser strokes remove. */

import { encodeMaskPng } from "@stochedit/client";
import type { Point, Size } from "@stochedit/shared";

/** Painted pixels show in this colour over the image; only their alpha matters for the mask. */
const paintRgb = [255, 48, 96] as const;
const paintColour = `rgb(${paintRgb.join(", ")})`;
/** Stroke edges are anti-aliased: a pixel at least half covered counts as painted. */
const paintedAlpha = 128;

export class MaskLayer {
  /** Drawn over the image (half transparent) by the input stage. */
  readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;

  constructor(readonly size: Size) {
    this.canvas = document.createElement("canvas");
    this.canvas.width = size.width;
    this.canvas.height = size.height;
    const context = this.canvas.getContext("2d", { willReadFrequently: true });
    if (!context) throw new Error("this browser gives no 2D canvas");
    this.context = context;
  }

  /** A round-capped line from `from` to `to` (a dot when they are equal), in image pixels. */
  stroke(from: Point, to: Point, radius: number, erase: boolean): void {
    const c = this.context;
    c.globalCompositeOperation = erase ? "destination-out" : "source-over";
    c.strokeStyle = paintColour;
    c.lineWidth = 2 * radius;
    c.lineCap = "round";
    c.beginPath();
    // Pixel centres: a point [x, y] covers the square from x to x + 1.
    c.moveTo(from[0] + 0.5, from[1] + 0.5);
    c.lineTo(to[0] + 0.5, to[1] + 0.5);
    c.stroke();
  }

  clear(): void {
    this.context.clearRect(0, 0, this.size.width, this.size.height);
  }

  /** Replaces the mask with a mask picture of the image's size (a sample's): painted where it is light. */
  paintPicture(picture: ImageBitmap): void {
    this.clear();
    this.context.globalCompositeOperation = "source-over";
    this.context.drawImage(picture, 0, 0, this.size.width, this.size.height);
    const pixels = this.context.getImageData(0, 0, this.size.width, this.size.height);
    const data = pixels.data;
    for (let i = 0; i < data.length; i += 4) {
      const painted = data[i]! >= 128;
      data.set(painted ? [...paintRgb, 255] : [0, 0, 0, 0], i);
    }
    this.context.putImageData(pixels, 0, 0);
  }

  /** One byte per pixel: 255 where painted (editable / fill), 0 elsewhere. */
  greyPixels(): Uint8Array {
    const rgba = this.context.getImageData(0, 0, this.size.width, this.size.height).data;
    const grey = new Uint8Array(this.size.width * this.size.height);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i + 3]! >= paintedAlpha ? 255 : 0;
    return grey;
  }

  isEmpty(): boolean {
    return !this.greyPixels().includes(255);
  }

  /** The mask as the API takes it: a single-channel PNG of the image's size. */
  async png(): Promise<Blob> {
    const png = await encodeMaskPng(this.greyPixels(), this.size.width, this.size.height);
    return new Blob([png as Uint8Array<ArrayBuffer>], { type: "image/png" });
  }
}
