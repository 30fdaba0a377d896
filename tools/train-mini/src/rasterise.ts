/** @module rasterise: one SVG to a square RGB image on white, at a given icon size and offset. */
import sharp from "sharp";

export interface Placement {
  canvasPx: number;
  iconPx: number;
  leftPx: number;
  topPx: number;
}

/** Returns `canvasPx * canvasPx * 3` bytes, row-major RGB, the icon drawn at `iconPx` and alpha-blended on white. */
export async function rasteriseOnWhite(svg: string, placement: Placement): Promise<Buffer> {
  // Rendering at the final size (rather than resizing a large render) keeps edges crisp and is faster.
  const icon = await sharp(Buffer.from(svg), { density: 300 })
    .resize(placement.iconPx, placement.iconPx, { fit: "contain", background: { r: 255, g: 255, b: 255, alpha: 0 } })
    .png()
    .toBuffer();
  return sharp({
    create: {
      width: placement.canvasPx,
      height: placement.canvasPx,
      channels: 3,
      background: { r: 255, g: 255, b: 255 },
    },
  })
    .composite([{ input: icon, left: placement.leftPx, top: placement.topPx }])
    .removeAlpha()
    .raw()
    .toBuffer();
}
