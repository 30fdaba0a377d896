/** @module edit-settings: a claimed job's request without the fields only the edge acts on: what runEdit takes. */
import type { EditRequest, OutputFormat } from "@stochedit/shared";
import type { EditSettings } from "../edit/edit-job.js";

export function editSettingsOf(request: EditRequest): EditSettings {
  if (request.task === "img2img") {
    const {
      image: _image,
      max_price: _price,
      retention_seconds: _retention,
      preset: _preset,
      previews: _previews,
      ...settings
    } = request;
    return settings;
  }
  const {
    image: _image,
    mask: _mask,
    max_price: _price,
    retention_seconds: _retention,
    preset: _preset,
    previews: _previews,
    ...settings
  } = request;
  return settings;
}

export const contentTypeOf: Record<OutputFormat, string> = {
  png: "image/png",
  webp: "image/webp",
  jpeg: "image/jpeg",
};
