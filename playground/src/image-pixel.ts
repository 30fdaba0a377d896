/** @module image-pixel: a pointer position on the displayed image -> the pixel of the uploaded image under it. */
import type { Point, Size } from "@stochedit/shared";

export interface DisplayBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The displayed image is scaled to fit the page; the API wants [x, y] in the uploaded image's own pixels, each in
 * [0, side - 1]. A position on the box's edge (or just past it, while a stroke leaves the image) is clamped in.
 */
export function imagePixelAt(clientX: number, clientY: number, box: DisplayBox, image: Size): Point {
  const pixel = (offset: number, displayed: number, side: number) =>
    Math.min(side - 1, Math.max(0, Math.floor((offset / displayed) * side)));
  return [pixel(clientX - box.left, box.width, image.width), pixel(clientY - box.top, box.height, image.height)];
}
