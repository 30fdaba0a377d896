/** @module uploads: the presigned-upload request and response. */
import { z } from "zod";
import { UploadId } from "./ids.js";
import { uploadLimits } from "./limits.js";

export const ImageContentType = z.enum(uploadLimits.contentTypes).meta({ id: "ImageContentType" });

export const UploadRequest = z
  .object({
    content_type: ImageContentType,
    content_length: z.int().min(1).max(uploadLimits.maxBytes, `must be at most ${uploadLimits.maxBytes} bytes (20 MB)`),
  })
  .meta({ id: "UploadRequest" });

export const UploadResponse = z
  .object({
    upload_id: UploadId,
    url: z.url(),
    method: z.literal("PUT"),
    headers: z
      .record(z.string(), z.string())
      .meta({ description: "Headers the PUT must carry exactly (they are signed)" }),
    expires_at: z.iso.datetime(),
  })
  .meta({ id: "UploadResponse" });

export type ImageContentType = z.infer<typeof ImageContentType>;
export type UploadRequest = z.infer<typeof UploadRequest>;
export type UploadResponse = z.infer<typeof UploadResponse>;
