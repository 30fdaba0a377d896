/** @module svg-chart: line charts with error bars as plain SVG text (no plotting dependency). */

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  /** Half-length of the error bar, in y units. */
  readonly error?: number;
}

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  /** Draw the points as dots (default: true). */
  readonly markers?: boolean;
  /** Join the points with a line (default: true). */
  readonly line?: boolean;
  readonly points: readonly ChartPoint[];
}

export interface ReferenceLine {
  readonly y: number;
  readonly label: string;
  readonly color: string;
}

export interface ChartPanel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly referenceLines?: readonly ReferenceLine[];
  readonly logY?: boolean;
  /** Larger x on the left (diffusion levels run from t0 down to 0). */
  readonly reverseX?: boolean;
}

export interface ChartLayout {
  readonly title: string;
  readonly columns: number;
  /** A line under the title (what the error bars are, the sample sizes). */
  readonly subtitle?: string;
}

const plotWidth = 330;
const plotHeight = 200;
const margin = { left: 64, right: 16, top: 30, bottom: 42 };
const legendRowHeight = 14;
const headerHeight = 46;

/** Several panels in a grid under one title, as one SVG document. */
export function renderChart(panels: readonly ChartPanel[], layout: ChartLayout): string {
  const legendRows = Math.max(...panels.map((p) => p.series.length + (p.referenceLines?.length ?? 0)));
  const cellWidth = margin.left + plotWidth + margin.right;
  const cellHeight = margin.top + plotHeight + margin.bottom + legendRows * legendRowHeight + 8;
  const rows = Math.ceil(panels.length / layout.columns);
  const width = cellWidth * Math.min(layout.columns, panels.length);
  const height = headerHeight + rows * cellHeight;
  const body = panels.map((panel, i) => {
    const [column, row] = [i % layout.columns, Math.floor(i / layout.columns)];
    return `<g transform="translate(${column * cellWidth},${headerHeight + row * cellHeight})">${renderPanel(panel)}</g>`;
  });
  return svgDocument(width, height, layout.title, [
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(layout.title)}</text>`,
    layout.subtitle === undefined
      ? ""
      : `<text x="${width / 2}" y="37" text-anchor="middle" font-size="11" fill="#444">${escapeXml(layout.subtitle)}</text>`,
    ...body,
  ]);
}

/** An SVG document whose <title> names the figure for screen readers. */
export function svgDocument(width: number, height: number, title: string, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface Axis {
  readonly toPixel: (value: number) => number;
  readonly ticks: readonly number[];
}

function renderPanel(panel: ChartPanel): string {
  const points = panel.series.flatMap((s) => s.points);
  const xs = points.map((p) => p.x);
  const ys = points.flatMap((p) => [p.y - (p.error ?? 0), p.y + (p.error ?? 0)]);
  for (const line of panel.referenceLines ?? []) ys.push(line.y);
  const x = linearAxis(Math.min(...xs), Math.max(...xs), panel.reverseX ? [plotWidth, 0] : [0, plotWidth]);
  const y = panel.logY
    ? logAxis(
        ys.filter((v) => v > 0),
        [plotHeight, 0],
      )
    : linearAxis(Math.min(...ys), Math.max(...ys), [plotHeight, 0]);
  const at = (px: number, py: number) => `${round(margin.left + px)},${round(margin.top + py)}`;
  const parts: string[] = [
    `<text x="${margin.left + plotWidth / 2}" y="18" text-anchor="middle" font-size="12" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
  ];
  for (const tick of x.ticks) {
    const px = margin.left + x.toPixel(tick);
    parts.push(
      `<line x1="${round(px)}" y1="${margin.top + plotHeight}" x2="${round(px)}" y2="${margin.top + plotHeight + 4}" stroke="#999"/>`,
      `<text x="${round(px)}" y="${margin.top + plotHeight + 16}" text-anchor="middle" font-size="10">${formatTick(tick)}</text>`,
    );
  }
  for (const tick of y.ticks) {
    const py = margin.top + y.toPixel(tick);
    parts.push(
      `<line x1="${margin.left}" y1="${round(py)}" x2="${margin.left + plotWidth}" y2="${round(py)}" stroke="#eee"/>`,
      `<text x="${margin.left - 5}" y="${round(py + 3)}" text-anchor="end" font-size="10">${formatTick(tick)}</text>`,
    );
  }
  parts.push(
    `<text x="${margin.left + plotWidth / 2}" y="${margin.top + plotHeight + 32}" text-anchor="middle" font-size="11">${escapeXml(panel.xLabel)}</text>`,
    `<text transform="translate(14,${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="11">${escapeXml(panel.yLabel)}</text>`,
  );
  for (const line of panel.referenceLines ?? []) {
    const py = y.toPixel(line.y);
    parts.push(
      `<line x1="${margin.left}" y1="${round(margin.top + py)}" x2="${margin.left + plotWidth}" y2="${round(margin.top + py)}" stroke="${line.color}" stroke-dasharray="2,3" stroke-width="1.5"/>`,
    );
  }
  for (const series of panel.series) {
    const visible = series.points.filter((p) => !panel.logY || p.y > 0);
    const dash = series.dashed ? ' stroke-dasharray="6,4"' : "";
    if (series.line !== false && visible.length > 1) {
      const path = visible.map((p) => at(x.toPixel(p.x), y.toPixel(p.y))).join(" ");
      parts.push(`<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="1.6"${dash}/>`);
    }
    for (const p of visible) {
      const [px, py] = [margin.left + x.toPixel(p.x), margin.top + y.toPixel(p.y)];
      if (p.error !== undefined && p.error > 0) {
        const low = margin.top + y.toPixel(panel.logY ? Math.max(p.y - p.error, p.y / 100) : p.y - p.error);
        const high = margin.top + y.toPixel(p.y + p.error);
        parts.push(
          `<path d="M${round(px)},${round(low)}V${round(high)}M${round(px - 3)},${round(low)}h6M${round(px - 3)},${round(high)}h6" stroke="${series.color}" fill="none"/>`,
        );
      }
      if (series.markers !== false)
        parts.push(`<circle cx="${round(px)}" cy="${round(py)}" r="2.6" fill="${series.color}"/>`);
    }
  }
  const legend = [
    ...panel.series.map((s) => ({ ...s, dotted: false })),
    ...(panel.referenceLines ?? []).map((r) => ({ label: r.label, color: r.color, dashed: false, dotted: true })),
  ];
  legend.forEach((entry, i) => {
    const ly = margin.top + plotHeight + margin.bottom + i * legendRowHeight + 4;
    const dash = entry.dotted ? ' stroke-dasharray="2,3"' : entry.dashed ? ' stroke-dasharray="6,4"' : "";
    const swatch =
      "line" in entry && entry.line === false
        ? `<circle cx="${margin.left + 11}" cy="${ly}" r="2.6" fill="${entry.color}"/>`
        : `<line x1="${margin.left}" y1="${ly}" x2="${margin.left + 22}" y2="${ly}" stroke="${entry.color}" stroke-width="2"${dash}/>`;
    parts.push(swatch, `<text x="${margin.left + 28}" y="${ly + 4}" font-size="10">${escapeXml(entry.label)}</text>`);
  });
  return parts.join("\n");
}

/** A linear axis over [min, max], padded by 5%, with 1/2/5 x 10^k ticks. */
function linearAxis(min: number, max: number, pixels: readonly [number, number]): Axis {
  const span = max - min || Math.abs(max) || 1;
  const [low, high] = [min - 0.05 * span, max + 0.05 * span];
  const toPixel = (v: number) => pixels[0] + ((v - low) / (high - low)) * (pixels[1] - pixels[0]);
  return { toPixel, ticks: niceTicks(low, high) };
}

/** Multiples of the finest 1/2/5 x 10^k step that gives at most 7 ticks in [low, high]. */
function niceTicks(low: number, high: number): number[] {
  const power = 10 ** Math.floor(Math.log10((high - low) / 5));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => (high - low) / s <= 7) ?? 10 * power;
  const ticks: number[] = [];
  // Integer multiples of the step, so accumulated rounding cannot turn 0 into 6e-17.
  for (let k = Math.ceil(low / step); k * step <= high; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** A log10 axis over the positive values, with a tick at every power of ten (and 2, 5 within a narrow range). */
function logAxis(values: readonly number[], pixels: readonly [number, number]): Axis {
  const low = Math.log10(Math.min(...values)) - 0.05;
  const high = Math.log10(Math.max(...values)) + 0.05;
  const ticks: number[] = [];
  const narrow = high - low < 2.5;
  for (let k = Math.floor(low); k <= Math.ceil(high); k++) {
    for (const m of narrow ? [1, 2, 5] : [1]) {
      const t = m * 10 ** k;
      if (Math.log10(t) >= low && Math.log10(t) <= high) ticks.push(t);
    }
  }
  const toPixel = (v: number) => pixels[0] + ((Math.log10(v) - low) / (high - low)) * (pixels[1] - pixels[0]);
  // A range narrower than one 1-2-5 interval gets linear ticks instead.
  return { toPixel, ticks: ticks.length >= 2 ? ticks : niceTicks(10 ** low, 10 ** high) };
}

function formatTick(value: number): string {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4 || magnitude < 1e-3) return value.toExponential(0);
  return String(Number(value.toPrecision(4)));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
