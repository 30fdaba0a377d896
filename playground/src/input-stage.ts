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
    this.canvas.width = image.width;
    this.canvas.height = image.height;
    this.canvas.hidden = false;
  }

  get size(): Size | undefined {
    return this.image && { width: this.image.width, height: this.image.height };
  }

  draw(drawing: StageDrawing): void {
    const c = this.context;
    if (!this.image) return;
    c.clearRect(0, 0, this.canvas.width, this.canvas.height);
    c.drawImage(this.image, 0, 0);
    if (drawing.mask) {
      c.globalAlpha = maskOpacity;
      c.drawImage(drawing.mask.canvas, 0, 0);
      c.globalAlpha = 1;
    }
    // Image pixels per CSS pixel: marks keep the same size on screen however the image is scaled.
    const shown = this.canvas.getBoundingClientRect().width;
    const unit = shown > 0 ? this.canvas.width / shown : 1;
    drawing.pairs.forEach((pair, index) => {
      drawArrow(c, pair, unit);
      drawLabel(c, pair.from, String(index + 1), unit);
    });
    if (drawing.pendingSource) drawDot(c, drawing.pendingSource, sourceColour, unit);
  }

  private pixelOf(event: PointerEvent): Point | undefined {
    const size = this.size;
    return size && imagePixelAt(event.clientX, event.clientY, this.canvas.getBoundingClientRect(), size);
  }

  private pointerDown(event: PointerEvent): void {
    const point = this.pixelOf(event);
    if (!point || !event.isPrimary) return;
    event.preventDefault();
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

const centre = (p: Point): [number, number] => [p[0] + 0.5, p[1] + 0.5];

function drawDot(c: CanvasRenderingContext2D, point: Point, colour: string, unit: number): void {
  const [x, y] = centre(point);
  c.beginPath();
  c.arc(x, y, 5 * unit, 0, 2 * Math.PI);
  c.fillStyle = colour;
  c.fill();
  c.lineWidth = 1.5 * unit;
  c.strokeStyle = "white";
  c.stroke();
}

function drawArrow(c: CanvasRenderingContext2D, pair: DragPair, unit: number): void {
  const [x0, y0] = centre(pair.from);
  const [x1, y1] = centre(pair.to);
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const head = 10 * unit;
  c.strokeStyle = "white";
  c.lineWidth = 2.5 * unit;
  c.beginPath();
  c.moveTo(x0, y0);
  c.lineTo(x1, y1);
  c.lineTo(x1 - head * Math.cos(angle - Math.PI / 7), y1 - head * Math.sin(angle - Math.PI / 7));
  c.moveTo(x1, y1);
  c.lineTo(x1 - head * Math.cos(angle + Math.PI / 7), y1 - head * Math.sin(angle + Math.PI / 7));
  c.stroke();
  drawDot(c, pair.from, sourceColour, unit);
  drawDot(c, pair.to, targetColour, unit);
}

function drawLabel(c: CanvasRenderingContext2D, at: Point, text: string, unit: number): void {
  const [x, y] = centre(at);
  c.font = `bold ${12 * unit}px system-ui, sans-serif`;
  c.lineWidth = 3 * unit;
  c.strokeStyle = "black";
  c.fillStyle = "white";
  c.strokeText(text, x + 7 * unit, y - 7 * unit);
  c.fillText(text, x + 7 * unit, y - 7 * unit);
}
