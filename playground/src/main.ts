/** @module main: the playground page: wires the form, the input stage and the result cards to the public API. */
import { StocheditClient } from "@stochedit/client";
import { type DragPair, type ImageContentType, Sampler, Task, taskDefaults, uploadLimits } from "@stochedit/shared";
import { describeError } from "./api-errors.js";
import { BalanceLine } from "./balance-line.js";
import { byId, checkedValue, make } from "./dom.js";
import {
  type EditForm,
  editRequest,
  type ImageState,
  missingInput,
  quoteRequest,
  type SamplerChoice,
  samplersOf,
} from "./edit-form.js";
import { ErrorPanel } from "./error-panel.js";
import { followEdit } from "./follow-edit.js";
import { InputStage, type Tool } from "./input-stage.js";
import { MaskLayer } from "./mask-layer.js";
import { PointPairs } from "./point-pairs.js";
import { PriceLine } from "./price-line.js";
import { ResultCard } from "./result-card.js";
import { type Sample, samples } from "./samples.js";
import "./styles.css";

const form = byId("controls", HTMLFormElement);
const keyInput = byId("api-key", HTMLInputElement);
const fileInput = byId("image-file", HTMLInputElement);
const imageInfo = byId("image-info", HTMLElement);
const sampleList = byId("samples", HTMLElement);
const toolsBox = byId("tools", HTMLFieldSetElement);
const pointsTool = byId("points-tool", HTMLElement);
const brushName = byId("brush-name", HTMLElement);
const brushRadius = byId("brush-radius", HTMLInputElement);
const pairList = byId("pairs", HTMLOListElement);
const toolHint = byId("tool-hint", HTMLElement);
const promptInput = byId("prompt", HTMLInputElement);
const seedInput = byId("seed", HTMLInputElement);
const t0Name = byId("t0-name", HTMLElement);
const t0Input = byId("t0", HTMLInputElement);
const stepsInput = byId("steps", HTMLInputElement);
const previewsInput = byId("previews", HTMLInputElement);
const runButton = byId("run", HTMLButtonElement);
const results = byId("results", HTMLElement);
const errors = new ErrorPanel(byId("error", HTMLElement));

// `npm start` prints the page's URL with `#key=...`: a fragment never reaches a server, so the key stays out of logs.
keyInput.value = new URLSearchParams(location.hash.slice(1)).get("key") ?? "";
const apiKey = () => keyInput.value.trim();
// The page is served by the edge: the API is on the same origin.
const api = new StocheditClient({ apiKey, baseUrl: "" });
const balance = new BalanceLine(byId("balance", HTMLElement), api, apiKey);
const priceLine = new PriceLine(byId("price", HTMLElement), api, errors);

const pairs = new PointPairs();
let mask: MaskLayer | undefined;
let uploadId: string | undefined;
let imageState: ImageState = "none";
let cards: ResultCard[] = [];
let running: AbortController | undefined;

const stage = new InputStage(byId("input-canvas", HTMLCanvasElement), {
  onPoint(point) {
    if (pairs.place(point) === "full") toolHint.textContent = "That is the most pairs an edit takes.";
    refresh({ price: true });
  },
  onStroke(from, to) {
    mask?.stroke(from, to, Number(brushRadius.value), stage.tool === "eraser");
    redraw();
  },
});

const task = () => Task.parse(checkedValue(form, "task"));
const samplerChoice = (): SamplerChoice => {
  const value = checkedValue(form, "sampler");
  return value === "both" ? value : Sampler.parse(value);
};
/** An empty or malformed number goes to the API as it is, which says what is wrong with it. */
const numberOf = (input: HTMLInputElement) => (input.value === "" ? Number.NaN : Number(input.value));

function editForm(image: string, maskId: string | undefined): EditForm {
  return {
    task: task(),
    image,
    prompt: promptInput.value,
    seed: seedInput.value === "" ? undefined : numberOf(seedInput),
    steps: numberOf(stepsInput),
    t0: numberOf(t0Input),
    pairs: pairs.pairs,
    mask: maskId,
    previews: numberOf(previewsInput),
  };
}

function missing(): string | undefined {
  return missingInput({
    task: task(),
    image: imageState,
    pairCount: pairs.pairs.length,
    maskPainted: mask !== undefined && !mask.isEmpty(),
  });
}

function redraw(): void {
  const current = task();
  stage.draw({
    mask: current === "img2img" ? undefined : mask,
    pairs: current === "drag" ? pairs.pairs : [],
    pendingSource: current === "drag" ? pairs.pendingSource : undefined,
  });
}

let renderedPairs = "";

/**
 * Rebuilt only when the pairs change: rebuilding on every change of the form would replace a Remove button between
 * the press and the release of a click (a blur's change event lands in between), and the click would be lost.
 */
function renderPairs(): void {
  const shown = task() === "drag" ? pairs.pairs : [];
  const key = JSON.stringify(shown);
  if (key === renderedPairs) return;
  renderedPairs = key;
  const items = shown.map((pair, index) => {
    const remove = make("button", { type: "button", textContent: "Remove" });
    remove.setAttribute("aria-label", `Remove pair ${index + 1}`);
    remove.addEventListener("click", () => {
      pairs.remove(index);
      refresh({ price: true });
    });
    const text = `(${pair.from.join(", ")}) → (${pair.to.join(", ")})`;
    return make("li", {}, text, remove);
  });
  pairList.replaceChildren(...items);
}

function renderTools(): void {
  const current = task();
  toolsBox.hidden = current === "img2img";
  pointsTool.hidden = current !== "drag";
  brushName.textContent = current === "inpaint" ? "Fill brush" : "Mask brush";
  byId("clear-points", HTMLButtonElement).hidden = current !== "drag";
  const tool = checkedValue(form, "tool") as Tool;
  stage.tool = tool;
  toolHint.textContent =
    current === "inpaint"
      ? "Paint the area to fill."
      : tool === "points"
        ? pairs.pendingSource
          ? "Now click where that point should go."
          : "Click a source point, then its target."
        : "Optional: paint the region the drag may change (none: all of it).";
}

/** The price of what Run would submit ("both": the sum), or what is still missing before there is one. */
function schedulePrice(): void {
  const hint = missing();
  const image = uploadId;
  if (hint || !image) {
    priceLine.nothingToPrice(hint ?? "upload the image first.");
    return;
  }
  priceLine.schedule(samplersOf(samplerChoice()).map((sampler) => quoteRequest(editForm(image, undefined), sampler)));
}

function refresh(what: { price: boolean }): void {
  renderTools();
  renderPairs();
  redraw();
  if (what.price) schedulePrice();
}

function applyTaskDefaults(): void {
  const current = task();
  const defaults = taskDefaults[current];
  stepsInput.value = String(defaults.steps);
  // img2img's strength has no API default; 0.6 changes the image visibly and keeps its layout.
  t0Input.value = String("t0" in defaults ? defaults.t0 : 0.6);
  t0Name.textContent = current === "img2img" ? "Strength" : "t0";
  const tool = current === "drag" ? "points" : "brush";
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="tool"]'))
    radio.checked = radio.value === tool;
}

let imageChoice = 0;

/** What a sample puts on its image as soon as it is shown: the drag's points, the mask. */
interface ImageMarks {
  readonly pairs: readonly DragPair[];
  readonly mask: ImageBitmap | undefined;
}

async function chooseImage(file: File, marks?: ImageMarks): Promise<void> {
  const choice = ++imageChoice;
  errors.clear("image");
  uploadId = undefined;
  imageState = "failed";
  const contentType = uploadLimits.contentTypes.find((type) => type === file.type) as ImageContentType | undefined;
  if (!contentType) {
    errors.show("image", {
      title: `${file.name} is ${file.type || "of an unknown type"}`,
      lines: ["Choose a PNG, JPEG or WebP image."],
    });
    refresh({ price: true });
    return;
  }
  let bitmap: ImageBitmap;
  try {
    // createImageBitmap applies the EXIF orientation, as the API does: points are in the upright image's pixels.
    bitmap = await createImageBitmap(file);
  } catch (error) {
    errors.show("image", { title: `${file.name} could not be decoded`, lines: [describeError(error).lines.join(" ")] });
    refresh({ price: true });
    return;
  }
  if (choice !== imageChoice) return;
  stage.show(bitmap);
  pairs.clear();
  mask = new MaskLayer({ width: bitmap.width, height: bitmap.height });
  for (const pair of marks?.pairs ?? []) {
    pairs.place(pair.from);
    pairs.place(pair.to);
  }
  if (marks?.mask) mask.paintPicture(marks.mask);
  brushRadius.max = String(Math.max(8, Math.round(Math.min(bitmap.width, bitmap.height) / 4)));
  brushRadius.value = String(Math.max(2, Math.round(Math.min(bitmap.width, bitmap.height) / 16)));
  const describe = (state: string) => `${file.name}: ${bitmap.width}x${bitmap.height}, ${state}`;
  imageInfo.textContent = describe("uploading…");
  imageState = "uploading";
  refresh({ price: true });
  try {
    const uploaded = await api.upload(file, { contentType });
    // A newer choice wins: this upload's answer must not overwrite it.
    if (choice !== imageChoice) return;
    uploadId = uploaded;
    imageState = "uploaded";
    imageInfo.textContent = describe(`uploaded as ${uploaded}`);
  } catch (error) {
    if (choice !== imageChoice) return;
    imageState = "failed";
    imageInfo.textContent = describe("not uploaded");
    errors.show("image", describeError(error));
  }
  refresh({ price: true });
}

async function run(): Promise<void> {
  errors.clear("run");
  const hint = missing();
  if (hint || !uploadId) {
    errors.show("run", { title: hint ?? "Upload the image first.", lines: [] });
    return;
  }
  running?.abort();
  const controller = new AbortController();
  running = controller;
  for (const card of cards) card.dispose();
  cards = [];
  runButton.disabled = true;
  try {
    const current = task();
    const maskId =
      current !== "img2img" && mask && !mask.isEmpty()
        ? await api.upload(await mask.png(), { contentType: "image/png" })
        : undefined;
    const request = editForm(uploadId, current === "drag" || current === "inpaint" ? maskId : undefined);
    cards = samplersOf(samplerChoice()).map((sampler) => new ResultCard(sampler));
    results.replaceChildren(...cards.map((card) => card.element));
    // On a phone the results are above the Run button, out of sight.
    results.scrollIntoView({ block: "nearest" });
    await Promise.all(
      cards.map(async (card) => {
        try {
          // The client sends an Idempotency-Key with it, the same on each of its own retries.
          const accepted = await api.createEdit(editRequest(request, card.sampler));
          card.cancelWith(() => api.cancel(accepted.id));
          // The price is held now, and captured or released once the edit ends.
          void balance.refresh();
          void followEdit(api, accepted, card, controller.signal).then(() => balance.refresh());
        } catch (error) {
          card.failed(describeError(error));
        }
      }),
    );
  } catch (error) {
    errors.show("run", describeError(error));
  } finally {
    runButton.disabled = false;
  }
}

/**
 * A sample: its task and settings into the form, then its picture chosen as a file would be (uploaded), with its
 * points or mask on it. The sampler stays as chosen ("both" compares SDE with ODE).
 */
async function trySample(sample: Sample): Promise<void> {
  errors.clear("image");
  let file: File;
  let maskPicture: ImageBitmap | undefined;
  try {
    const picture = await (await fetch(sample.imageUrl)).blob();
    file = new File([picture], sample.fileName, { type: picture.type || "image/png" });
    if (sample.maskUrl) maskPicture = await createImageBitmap(await (await fetch(sample.maskUrl)).blob());
  } catch (error) {
    errors.show("image", { title: `The sample ${sample.fileName} could not be loaded`, lines: [String(error)] });
    return;
  }
  const { request } = sample;
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="task"]'))
    radio.checked = radio.value === request.task;
  applyTaskDefaults();
  promptInput.value = request.prompt;
  seedInput.value = request.seed === undefined ? "" : String(request.seed);
  if (request.steps !== undefined) stepsInput.value = String(request.steps);
  const start = request.task === "img2img" ? request.strength : request.t0;
  if (start !== undefined) t0Input.value = String(start);
  await chooseImage(file, { pairs: request.points ?? [], mask: maskPicture });
}

function renderSamples(): void {
  const buttons = samples.map((sample) => {
    const button = make("button", { type: "button", textContent: sample.title });
    button.addEventListener("click", () => void trySample(sample));
    return button;
  });
  sampleList.replaceChildren("Or try a sample: ", ...buttons);
}

fileInput.addEventListener("change", () => {
  const file = fileInput.files?.[0];
  if (file) void chooseImage(file);
});
form.addEventListener("change", (event) => {
  const target = event.target;
  if (target === fileInput || target === brushRadius) return;
  if (target instanceof HTMLInputElement && target.name === "task") applyTaskDefaults();
  refresh({ price: target !== promptInput && target !== seedInput });
});
keyInput.addEventListener("change", () => {
  schedulePrice();
  void balance.refresh();
});
byId("clear-points", HTMLButtonElement).addEventListener("click", () => {
  pairs.clear();
  refresh({ price: true });
});
byId("clear-mask", HTMLButtonElement).addEventListener("click", () => {
  mask?.clear();
  refresh({ price: task() === "inpaint" });
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  void run();
});
// Marks keep their on-screen size: redraw when the image is shown at another scale.
new ResizeObserver(() => redraw()).observe(byId("input-canvas", HTMLCanvasElement));

applyTaskDefaults();
renderSamples();
refresh({ price: true });
void balance.refresh();
