import { describe, expect, it } from "vitest";
import { type ChartPanel, renderChart } from "./svg-chart.js";

function panel(overrides: Partial<ChartPanel>): ChartPanel {
  return {
    title: "t",
    xLabel: "x",
    yLabel: "y",
    series: [{ label: "a & b", color: "#000", points: [] }],
    ...overrides,
  };
}

/** The x, y pairs of the first polyline. */
function polyline(svg: string): number[][] {
  const points = /<polyline points="([^"]+)"/.exec(svg)![1]!;
  return points.split(" ").map((pair) => pair.split(",").map(Number));
}

/** The tick labels of the y axis (right-aligned text). */
function yTicks(svg: string): string[] {
  return [...svg.matchAll(/text-anchor="end" font-size="10">([^<]+)</g)].map((m) => m[1]!);
}

describe("renderChart", () => {
  it("titles the document and escapes text", () => {
    const svg = renderChart(
      [
        panel({
          series: [
            {
              label: "a & b",
              color: "#000",
              points: [
                { x: 0, y: 0 },
                { x: 1, y: 1 },
              ],
            },
          ],
        }),
      ],
      {
        title: "KL <t>",
        columns: 1,
      },
    );
    expect(svg).toMatch(/^<svg [^>]*>\n<title>KL &lt;t&gt;<\/title>/);
    expect(svg).toContain("a &amp; b");
  });

  it("puts larger y higher, and larger x on the left when reverseX is set", () => {
    const points = [
      { x: 0, y: 0 },
      { x: 10, y: 5 },
    ];
    const [a, b] = polyline(
      renderChart([panel({ series: [{ label: "s", color: "#000", points }] })], { title: "", columns: 1 }),
    );
    expect(b![0]).toBeGreaterThan(a![0]!);
    expect(b![1]).toBeLessThan(a![1]!);
    const reversed = renderChart([panel({ reverseX: true, series: [{ label: "s", color: "#000", points }] })], {
      title: "",
      columns: 1,
    });
    const [c, d] = polyline(reversed);
    expect(d![0]).toBeLessThan(c![0]!);
  });

  it("labels linear ticks as exact multiples of the step (0, not 6e-17) and spaces decades evenly on a log axis", () => {
    const linear = renderChart(
      [
        panel({
          series: [
            {
              label: "s",
              color: "#000",
              points: [
                { x: 0, y: -0.6 },
                { x: 1, y: 0.1 },
              ],
            },
          ],
        }),
      ],
      { title: "", columns: 1 },
    );
    expect(yTicks(linear)).toContain("0");
    expect(yTicks(linear).every((label) => !label.includes("e-1"))).toBe(true);
    const points = [1, 10, 100].map((y, x) => ({ x, y }));
    const log = polyline(
      renderChart([panel({ logY: true, series: [{ label: "s", color: "#000", points }] })], { title: "", columns: 1 }),
    );
    expect(log[0]![1]! - log[1]![1]!).toBeCloseTo(log[1]![1]! - log[2]![1]!, 0);
  });

  it("gives a narrow log range linear ticks instead of none", () => {
    const points = [0.24, 0.3].map((y, x) => ({ x, y }));
    const svg = renderChart([panel({ logY: true, series: [{ label: "s", color: "#000", points }] })], {
      title: "",
      columns: 1,
    });
    expect(yTicks(svg).length).toBeGreaterThanOrEqual(2);
  });
});
