/** @module point-pairs: drag handles as the user places them: a source, then its target, up to the API's limit. */
import { type DragPair, editLimits, type Point } from "@stochedit/shared";

export type PlaceResult = "source" | "pair" | "full";

export class PointPairs {
  private readonly placed: DragPair[] = [];
  private source: Point | undefined;

  get pairs(): readonly DragPair[] {
    return this.placed;
  }

  /** A source placed and waiting for its target. */
  get pendingSource(): Point | undefined {
    return this.source;
  }

  /** Odd clicks place a source, even clicks its target; past the API's maximum of pairs nothing is placed. */
  place(point: Point): PlaceResult {
    if (this.source) {
      this.placed.push({ from: this.source, to: point });
      this.source = undefined;
      return "pair";
    }
    if (this.placed.length >= editLimits.dragMaxPairs) return "full";
    this.source = point;
    return "source";
  }

  remove(index: number): void {
    this.placed.splice(index, 1);
  }

  clear(): void {
    this.placed.length = 0;
    this.source = undefined;
  }
}
