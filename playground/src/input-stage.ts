/** @module input-stage: the input image on a canvas, the mask tinted over it and the drag arrows; pointer input. */
import type { DragPair, Point, Size } from "@stochedit/shared";
import { imagePixelAt } from "./image-pixel.js";
import type { MaskLayer } from "./mask-layer.js";

export type Tool = "points" | "brush" | "eraser";

export interface StageListener {
  onPoint(point: Point): void;
  /** One segment of a brush or eraser stroke (from === to on the first touch). */
  onStroke(from: Point, to: Point): void;
}

export interface StageDrawing {
  readonly mask: MaskLayer | undefined;
  readonly pairs: readonly DragPair[];
  readonly pendingSource: Point | undefined;
}

const sourceColour = "#e5484d";
const targetColour = "#3e63dd";
const maskOpacity = 0.45;

/**
 * Pointer events cover mouse, pen and touch alike; the canvas has `touch-action: none`, so a finger paints instead of
 * scrolling the page. A stroke follows one pointer (captured, so it continues past the canvas edge).
 */
export class InputStage {
  tool: Tool = "points";
  private image: ImageBitmap | undefined;
  private stroke: { pointerId: number; last: Point } | undefined;
  private readonly context: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly listener: StageListener,
  ) {
    const context = canvas.getContext("2d");
    if (!context) throw new Error("this browser gives no 2D canvas");
    this.context = context;
    canvas.addEventListener("pointerdown", (event) => this.pointerDown(event));
    canvas.addEventListener("pointermove", (event) => this.pointerMove(event));
    canvas.addEventListener("pointerup", (event) => this.pointerEnd(event));
    canvas.addEventListener("pointercancel", (event) => this.pointerEnd(event));
  }

  show(image: ImageBitmap): void {
    this.image = image;
    this.canvas.style.aspectRatio = `${image.width} / ${image.height}`;
    this.canvas.hidden = false;
  }

  get size(): Size | undefined {
    return this.image && { width: this.image.width, height: this.image.height };
  }

  /**
   * The canvas has the resolution it is shown at (not the image's), so arrows and dots stay sharp over a small image
   * shown large; the image and the mask are scaled up without smoothing, so their pixels stay visible as pixels.
   */
  draw(drawing: StageDrawing): void {
    const c = this.context;
    if (!this.image) return;
    const shown = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(shown.width * dpr));
    this.canvas.height = Math.max(1, Math.round(shown.height * dpr));
    c.imageSmoothingEnabled = false;
    c.drawImage(this.image, 0, 0, this.canvas.width, this.canvas.height);
    if (drawing.mask) {
      c.globalAlpha = maskOpacity;
      c.drawImage(drawing.mask.canvas, 0, 0, this.canvas.width, this.canvas.height);
      c.globalAlpha = 1;
    }
    const marks: Marks = {
      context: c,
      unit: dpr,
      at: (p) => [
        ((p[0] + 0.5) * this.canvas.width) / this.image!.width,
        ((p[1] + 0.5) * this.canvas.height) / this.image!.height,
      ],
    };
    drawing.pairs.forEach((pair, index) => {
      drawArrow(marks, pair);
      drawLabel(marks, pair.from, String(index + 1));
    });
    if (drawing.pendingSource) drawDot(marks, drawing.pendingSource, sourceColour);
  }

  private pixelOf(event: PointerEvent): Point | undefined {
    const size = this.size;
    return size && imagePixelAt(event.clientX, event.clientY, this.canvas.getBoundingClientRect(), size);
  }

  private pointerDown(event: PointerEvent): void {
    const point = this.pixelOf(event);
    if (!point || !event.isPrimary) return;
    if (this.tool === "points") {
      this.listener.onPoint(point);
      return;
    }
    this.canvas.setPointerCapture(event.pointerId);
    this.stroke = { pointerId: event.pointerId, last: point };
    this.listener.onStroke(point, point);
  }

  private pointerMove(event: PointerEvent): void {
    if (!this.stroke || event.pointerId !== this.stroke.pointerId) return;
    const point = this.pixelOf(event);
    if (!point) return;
    this.listener.onStroke(this.stroke.last, point);
    this.stroke.last = point;
  }

  private pointerEnd(event: PointerEvent): void {
    if (this.stroke?.pointerId === event.pointerId) this.stroke = undefined;
  }
}

/** Where marks go: canvas coordinates of an image pixel's centre, and canvas pixels per CSS pixel. */
interface Marks {
  readonly context: CanvasRenderingContext2D;
  readonly unit: number;
  at(point: Point): [number, number];
}

function drawDot({ context: c, unit, at }: Marks, point: Point, colour: string): void {
  const [x, y] = at(point);
  c.beginPath();
  c.arc(x, y, 6 * unit, 0, 2 * Math.PI);
  c.fillStyle = colour;
  c.fill();
  c.lineWidth = 2 * unit;
  c.strokeStyle = "white";
  c.stroke();
}

function drawArrow(marks: Marks, pair: DragPair): void {
  const { context: c, unit, at } = marks;
  const [x0, y0] = at(pair.from);
  const [x1, y1] = at(pair.to);
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const head = 12 * unit;
  c.lineCap = "round";
  c.lineJoin = "round";
  for (const [colour, width] of [
    ["rgba(0, 0, 0, 0.6)", 5],
    ["white", 2.5],
  ] as const) {
    c.strokeStyle = colour;
    c.lineWidth = width * unit;
    c.beginPath();
    c.moveTo(x0, y0);
    c.lineTo(x1, y1);
    c.lineTo(x1 - head * Math.cos(angle - Math.PI / 7), y1 - head * Math.sin(angle - Math.PI / 7));
    c.moveTo(x1, y1);
    c.lineTo(x1 - head * Math.cos(angle + Math.PI / 7), y1 - head * Math.sin(angle + Math.PI / 7));
    c.stroke();
  }
  drawDot(marks, pair.from, sourceColour);
  drawDot(marks, pair.to, targetColour);
}

function drawLabel({ context: c, unit, at }: Marks, point: Point, text: string): void {
  const [x, y] = at(point);
  c.font = `bold ${13 * unit}px system-ui, sans-serif`;
  c.lineWidth = 3 * unit;
  c.strokeStyle = "black";
  c.fillStyle = "white";
  c.strokeText(text, x + 8 * unit, y - 8 * unit);
  c.fillText(text, x + 8 * unit, y - 8 * unit);
}
