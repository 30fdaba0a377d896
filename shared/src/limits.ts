/** @module limits: every bound the API enforces, as data shared by the edge and the runners. */

export const imageLimits = {
  minSide: 64,
  maxSide: 2048,
  /** Total pixels of the (8-rounded) image. */
  maxPixels: 4_000_000,
  /** Latent downsampling factor of Stable Diffusion's VAE: sides are rounded to multiples of it. */
  sideMultiple: 8,
} as const;

export const uploadLimits = {
  maxBytes: 20 * 1024 * 1024,
  contentTypes: ["image/png", "image/jpeg", "image/webp"] as const,
  urlTtlSeconds: 15 * 60,
} as const;

export const editLimits = {
  /** CLIP's context is 77 tokens including start and end; the runner checks tokens, the edge characters. */
  promptMaxTokens: 77,
  promptMaxChars: 1000,
  dragMinPairs: 1,
  dragMaxPairs: 20,
  stepsMin: 1,
  stepsMax: 1000,
  guidanceMin: 1,
  guidanceMax: 30,
  seedMax: 2 ** 32 - 1,
  webhookUrlMaxChars: 2048,
  modelNameMaxChars: 64,
} as const;

/** How long an edit's pixels (output and inputs) are kept after it ends; the ledger row is kept for good. */
export const retentionLimits = {
  minSeconds: 60 * 60,
  maxSeconds: 30 * 24 * 60 * 60,
  defaultSeconds: 7 * 24 * 60 * 60,
  /** An upload's object is deleted this long after it was created, used or not. */
  uploadSeconds: 24 * 60 * 60,
} as const;

/** Previews: small JPEGs of the clean-image estimate an edit sends while it runs (README "Previews"). */
export const previewLimits = {
  /** Previewed steps an edit may ask for; a drag adds its copy-pasted start. */
  maxCount: 8,
  /** Longest side of a preview in pixels (never larger than the image). */
  maxSide: 256,
  /** Bytes of one preview's JPEG: the runner lowers the quality (then the size) until it fits. */
  maxBytes: 32 * 1024,
} as const;

export const listLimits = { defaultLimit: 20, maxLimit: 100 } as const;
