/** @module latent-strip: rows of small latents drawn as grey cells (channel 0), as one SVG document. */
import { escapeXml, svgDocument } from "./svg-chart.js";

export interface LatentRow {
  readonly label: string;
  /** NCHW latents of shape [1, 4, height, width]; channel 0 is drawn. */
  readonly latents: readonly (readonly number[])[];
}

export interface LatentStripLayout {
  readonly title: string;
  readonly subtitle?: string;
  readonly height: number;
  readonly width: number;
  /** Values at -range and below draw black, at +range and above white. */
  readonly range: number;
}

const cellPixels = 7;
const gapPixels = 10;
const labelWidth = 110;

export function renderLatentStrip(rows: readonly LatentRow[], layout: LatentStripLayout): string {
  const imageWidth = layout.width * cellPixels;
  const imageHeight = layout.height * cellPixels;
  const columns = Math.max(...rows.map((r) => r.latents.length));
  const top = 48;
  const width = labelWidth + columns * (imageWidth + gapPixels);
  const height = top + rows.length * (imageHeight + gapPixels);
  const parts = [
    `<text x="8" y="18" font-size="14" font-weight="bold">${escapeXml(layout.title)}</text>`,
    layout.subtitle === undefined
      ? ""
      : `<text x="8" y="35" font-size="11" fill="#444">${escapeXml(layout.subtitle)}</text>`,
  ];
  rows.forEach((row, r) => {
    const y0 = top + r * (imageHeight + gapPixels);
    parts.push(`<text x="8" y="${y0 + imageHeight / 2 + 4}" font-size="12">${escapeXml(row.label)}</text>`);
    row.latents.forEach((latent, c) => {
      const x0 = labelWidth + c * (imageWidth + gapPixels);
      for (let y = 0; y < layout.height; y++) {
        for (let x = 0; x < layout.width; x++) {
          const value = latent[y * layout.width + x]!;
          const grey = Math.round(255 * Math.min(1, Math.max(0, (value + layout.range) / (2 * layout.range))));
          parts.push(
            `<rect x="${x0 + x * cellPixels}" y="${y0 + y * cellPixels}" width="${cellPixels}" height="${cellPixels}" fill="rgb(${grey},${grey},${grey})"/>`,
          );
        }
      }
    });
  });
  return svgDocument(width, height, layout.title, parts);
}
