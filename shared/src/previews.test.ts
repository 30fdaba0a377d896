import { describe, expect, it } from "vitest";
import { previewLimits } from "./limits.js";
import { EditPreview, previewDataMaxChars, previewDecodes, previewSteps } from "./previews.js";
import { PreviewRequest } from "./runner-protocol.js";

describe("previewSteps", () => {
  it("spaces the previews evenly, the last at the final step", () => {
    expect(previewSteps(4, 120)).toEqual([30, 60, 90, 120]);
    expect(previewSteps(1, 120)).toEqual([120]);
    expect(previewSteps(3, 10)).toEqual([4, 7, 10]);
  });

  it("gives every step once when fewer steps run than previews were asked for", () => {
    expect(previewSteps(8, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(previewSteps(5, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it("gives none for no previews", () => {
    expect(previewSteps(0, 120)).toEqual([]);
  });

  it("keeps the steps strictly increasing and inside the run for every count and length", () => {
    for (let steps = 1; steps <= 60; steps++) {
      for (let count = 1; count <= previewLimits.maxCount; count++) {
        const chosen = previewSteps(count, steps);
        expect(chosen).toHaveLength(Math.min(count, steps));
        expect(chosen.at(-1)).toBe(steps);
        for (let i = 1; i < chosen.length; i++) expect(chosen[i]!).toBeGreaterThan(chosen[i - 1]!);
        expect(chosen[0]).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

describe("previewDecodes", () => {
  it("counts one decode per previewed step and a drag's copy-pasted start", () => {
    expect(previewDecodes(4, "img2img", 25)).toBe(4);
    expect(previewDecodes(4, "drag", 600)).toBe(5);
    expect(previewDecodes(8, "inpaint", 3)).toBe(3);
    expect(previewDecodes(0, "drag", 600)).toBe(0);
  });
});

describe("preview schemas", () => {
  const body = {
    lease_id: "ls_0123456789abcdef",
    index: 0,
    step: 0,
    total: 120,
    width: 256,
    height: 192,
    content_type: "image/jpeg",
    data: "/9j/4AAQSkZJRg==",
  };

  it("takes a base64 JPEG up to the byte limit and refuses more", () => {
    expect(PreviewRequest.safeParse(body).success).toBe(true);
    const atLimit = btoa("\0".repeat(previewLimits.maxBytes));
    expect(atLimit.length).toBe(previewDataMaxChars);
    expect(PreviewRequest.safeParse({ ...body, data: atLimit }).success).toBe(true);
    const over = btoa("\0".repeat(previewLimits.maxBytes + 1));
    expect(PreviewRequest.safeParse({ ...body, data: over }).success).toBe(false);
  });

  it("refuses what is not a small base64 JPEG", () => {
    expect(PreviewRequest.safeParse({ ...body, data: "not base64!" }).success).toBe(false);
    expect(PreviewRequest.safeParse({ ...body, content_type: "image/png" }).success).toBe(false);
    expect(PreviewRequest.safeParse({ ...body, width: previewLimits.maxSide + 1 }).success).toBe(false);
    expect(PreviewRequest.safeParse({ ...body, index: previewLimits.maxCount + 1 }).success).toBe(false);
  });

  it("shows a preview as a JPEG data URL", () => {
    const preview = { index: 1, step: 30, total: 120, width: 256, height: 192 };
    expect(EditPreview.safeParse({ ...preview, url: "data:image/jpeg;base64,/9j/" }).success).toBe(true);
    expect(EditPreview.safeParse({ ...preview, url: "https://example.com/p.jpg" }).success).toBe(false);
  });
});
