/**
 * @module client: StocheditClient, the public API as methods: uploads, quotes, edits (submit, read, list, cancel,
 * wait), outputs, the account and its webhook secret, and the one-call helpers that upload, submit and wait.
 */
import type { z } from "zod";
import { downloadOutput, type OutputBytes } from "./download-output.js";
import { newIdempotencyKey } from "./idempotency-key.js";
import { defaultRetryOptions, type RetryOptions } from "./retry-policy.js";
import {
  AccountView,
  Edit,
  EditAccepted,
  EditList,
  type EditRequestInput,
  type EditStatus,
  type ImageContentType,
  Quote,
  UploadResponse,
  WebhookDeliveryList,
  WebhookSecret,
} from "./schemas.js";
import { Transport } from "./transport.js";
import { readUploadSource, type UploadSource } from "./upload-source.js";
import { type WaitOptions, waitForEdit } from "./wait-for-edit.js";

export interface ClientOptions {
  /** `sk_live_...` or `sk_test_...`. A function is asked on every call (a key that can change). */
  readonly apiKey: string | (() => string);
  /** The API's origin, e.g. `https://api.example.com`; "" for a page served by the API itself. */
  readonly baseUrl: string;
  /** Another fetch: a test double, or `expo/fetch` on React Native, whose bodies can stream. */
  readonly fetch?: typeof fetch;
  /**
   * Whether `wait` reads the event stream. Default: whether this runtime's Response has a streaming body (browsers,
   * Node, Deno, Workers: yes; React Native's fetch: no, so `wait` polls). Set true with a fetch that streams.
   */
  readonly streamEvents?: boolean;
  /** Retries on 429, and on 502-504 and lost answers for calls safe to repeat. Default 3 retries from 500 ms. */
  readonly retry?: Partial<RetryOptions>;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface UploadOptions extends CallOptions {
  /** The image's type; by default the Blob's own type, else read from its first bytes. */
  readonly contentType?: ImageContentType;
}

export interface CreateEditOptions extends CallOptions {
  /**
   * Ties retries of one submission together: the same key and body return the same edit (for 24 hours). One is
   * generated when omitted and reused across this call's own retries; pass your own to survive an app restart.
   */
  readonly idempotencyKey?: string;
}

export interface ListEditsQuery {
  readonly status?: EditStatus;
  /** Page size (1-100). */
  readonly limit?: number;
  readonly cursor?: string;
}

/** A request body without the uploads, which the one-call helpers make from the given images. */
type WithoutUploads<R> = Omit<R, "task" | "image" | "mask">;
type RequestOf<T extends EditRequestInput["task"]> = Extract<EditRequestInput, { task: T }>;

/** An image for the one-call helpers: something to upload, or the id of an earlier upload. */
export type ImageInput = UploadSource | string;

export interface OneCallOptions extends WaitOptions {
  readonly image: ImageInput;
  /** The type of `image` (and of `mask`, for masks are PNGs by default); see UploadOptions. */
  readonly imageType?: ImageContentType;
  readonly idempotencyKey?: string;
}

export type DragParams = WithoutUploads<RequestOf<"drag">> & OneCallOptions & { readonly mask?: ImageInput };
export type InpaintParams = WithoutUploads<RequestOf<"inpaint">> & OneCallOptions & { readonly mask: ImageInput };
export type Img2ImgParams = WithoutUploads<RequestOf<"img2img">> & OneCallOptions;

/** Whether this runtime's fetch can hand out a body while it is still arriving (not React Native's). */
function runtimeStreamsBodies(): boolean {
  return typeof ReadableStream === "function" && typeof Response === "function" && "body" in Response.prototype;
}

export class StocheditClient {
  private readonly transport: Transport;
  private readonly streamEvents: boolean;

  constructor(options: ClientOptions) {
    const { apiKey } = options;
    // Bound, so a fetch that expects to be called as a method of globalThis (browsers) still is.
    const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.transport = new Transport({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      apiKey: typeof apiKey === "function" ? apiKey : () => apiKey,
      fetch: fetchFn,
      retry: { ...defaultRetryOptions, ...options.retry },
    });
    this.streamEvents = options.streamEvents ?? runtimeStreamsBodies();
  }

  /**
   * Uploads an image (or a mask) straight to storage: `POST /v1/uploads` signs a PUT URL for its type and size, then
   * the bytes go there. Returns the upload id to use as `image` or `mask`.
   */
  async upload(source: UploadSource, options: UploadOptions = {}): Promise<string> {
    const { body, size, contentType } = await readUploadSource(source, options.contentType, this.transport.fetch);
    const { data: upload } = await this.transport.json({
      schema: UploadResponse,
      method: "POST",
      path: "/v1/uploads",
      body: { content_type: contentType, content_length: size },
      idempotent: false,
      signal: options.signal,
    });
    // Browsers refuse a script's Content-Length (and compute it from the body, which is the signed length).
    const headers = Object.fromEntries(
      Object.entries(upload.headers).filter(([name]) => name.toLowerCase() !== "content-length"),
    );
    const put = await this.transport.storage(upload.url, {
      method: "PUT",
      headers,
      body,
      idempotent: true,
      signal: options.signal,
    });
    await put.body?.cancel();
    return upload.upload_id;
  }

  /** The price of a request (micro-credits) and the work behind it, without running anything. */
  async quote(request: EditRequestInput, options: CallOptions = {}): Promise<Quote> {
    return (await this.json(Quote, "POST", "/v1/quote", { body: request, idempotent: true, ...options })).data;
  }

  /** Submits an edit: its price is held, and captured only if it succeeds. Safe to retry (Idempotency-Key). */
  async createEdit(request: EditRequestInput, options: CreateEditOptions = {}): Promise<EditAccepted> {
    const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
    const { data } = await this.json(EditAccepted, "POST", "/v1/edits", {
      body: request,
      headers: { "idempotency-key": idempotencyKey },
      idempotent: true,
      signal: options.signal,
    });
    return data;
  }

  async getEdit(id: string, options: CallOptions = {}): Promise<Edit> {
    return (await this.json(Edit, "GET", `/v1/edits/${encodeURIComponent(id)}`, { idempotent: true, ...options })).data;
  }

  /** One page of the account's edits, newest first; pass `next_cursor` as `cursor` for the next. */
  async listEditsPage(query: ListEditsQuery = {}, options: CallOptions = {}): Promise<EditList> {
    // Built by hand: React Native's URLSearchParams lacks most of its methods.
    const params = Object.entries({ status: query.status, limit: query.limit, cursor: query.cursor })
      .filter(([, value]) => value !== undefined && value !== "")
      .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
    const search = params.length > 0 ? `?${params.join("&")}` : "";
    return (await this.json(EditList, "GET", `/v1/edits${search}`, { idempotent: true, ...options })).data;
  }

  /** Every edit of the account (of `status`, if given), newest first, fetched a page at a time as you iterate. */
  async *listEdits(query: Omit<ListEditsQuery, "cursor"> = {}, options: CallOptions = {}): AsyncGenerator<Edit> {
    let cursor: string | undefined;
    do {
      const page = await this.listEditsPage({ ...query, ...(cursor && { cursor }) }, options);
      yield* page.data;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Cancels an edit that has not finished (its hold is released); a finished one comes back as it is. */
  async cancel(id: string, options: CallOptions = {}): Promise<Edit> {
    const path = `/v1/edits/${encodeURIComponent(id)}/cancel`;
    return (await this.json(Edit, "POST", path, { idempotent: true, ...options })).data;
  }

  /** Available and held credits, and the latest ledger entries. */
  async account(options: CallOptions = {}): Promise<AccountView> {
    return (await this.json(AccountView, "GET", "/v1/account", { idempotent: true, ...options })).data;
  }

  /** The account's current `whsec_` secret (for `verifyWebhook` on your backend); needs the edits:write scope. */
  async webhookSecret(options: CallOptions = {}): Promise<string> {
    return (await this.json(WebhookSecret, "GET", "/v1/account/webhook-secret", { idempotent: true, ...options })).data
      .secret;
  }

  /** Replaces the secret; for 24 hours deliveries carry a signature by the old one too. */
  async rotateWebhookSecret(options: CallOptions = {}): Promise<string> {
    const path = "/v1/account/webhook-secret/rotate";
    return (await this.json(WebhookSecret, "POST", path, { idempotent: false, ...options })).data.secret;
  }

  /** Every webhook delivery attempt of an edit, oldest first. */
  async webhookDeliveries(id: string, options: CallOptions = {}): Promise<WebhookDeliveryList["data"]> {
    const path = `/v1/edits/${encodeURIComponent(id)}/deliveries`;
    return (await this.json(WebhookDeliveryList, "GET", path, { idempotent: true, ...options })).data.data;
  }

  /**
   * Resolves with the edit once it has succeeded; rejects with EditFailedError when it fails, is canceled or
   * expires. `onProgress` hears each change of status and step. Waits through network loss and 5xx (reconnecting
   * with backoff) until `signal` aborts.
   */
  wait(id: string, options: WaitOptions = {}): Promise<Edit> {
    return waitForEdit(
      {
        streaming: this.streamEvents,
        openEvents: (editId, signal) => this.openEvents(editId, signal),
        getEdit: (editId, signal) => this.getEdit(editId, signal ? { signal } : {}),
      },
      id,
      options,
    );
  }

  /**
   * The output's bytes, checked against its recorded SHA-256 where the runtime has WebCrypto. An edit whose URL has
   * expired (they last an hour) is read again for a fresh one. For display, `edit.output.url` works as it is.
   */
  downloadOutput(edit: Edit | string, options: CallOptions = {}): Promise<OutputBytes> {
    return downloadOutput(
      {
        getEdit: (id) => this.getEdit(id, options),
        get: (url) => this.transport.storage(url, { method: "GET", idempotent: true, signal: options.signal }),
      },
      edit,
    );
  }

  /** Upload, submit and wait: a drag (points in the image's pixels). Resolves with the succeeded edit. */
  drag(params: DragParams): Promise<Edit> {
    const { image, mask, imageType, idempotencyKey, onProgress, signal, pollIntervalMs, ...fields } = params;
    return this.oneCall(
      async () => ({
        ...fields,
        task: "drag",
        image: await this.uploadInput(image, imageType, signal),
        ...(mask !== undefined && { mask: await this.uploadInput(mask, undefined, signal) }),
      }),
      { idempotencyKey, onProgress, signal, pollIntervalMs },
    );
  }

  /** Upload, submit and wait: fills the mask's white area. Resolves with the succeeded edit. */
  inpaint(params: InpaintParams): Promise<Edit> {
    const { image, mask, imageType, idempotencyKey, onProgress, signal, pollIntervalMs, ...fields } = params;
    return this.oneCall(
      async () => ({
        ...fields,
        task: "inpaint",
        image: await this.uploadInput(image, imageType, signal),
        mask: await this.uploadInput(mask, undefined, signal),
      }),
      { idempotencyKey, onProgress, signal, pollIntervalMs },
    );
  }

  /** Upload, submit and wait: image-to-image at `strength`. Resolves with the succeeded edit. */
  img2img(params: Img2ImgParams): Promise<Edit> {
    const { image, imageType, idempotencyKey, onProgress, signal, pollIntervalMs, ...fields } = params;
    return this.oneCall(
      async () => ({ ...fields, task: "img2img", image: await this.uploadInput(image, imageType, signal) }),
      { idempotencyKey, onProgress, signal, pollIntervalMs },
    );
  }

  /**
   * Submits what `request` makes and waits for it. If `signal` aborts after the submission, the edit is canceled
   * (nobody is left waiting for it, so it should not be charged), then the abort is passed on.
   */
  private async oneCall(
    request: () => Promise<EditRequestInput>,
    options: WaitOptions & { idempotencyKey: string | undefined },
  ): Promise<Edit> {
    const { idempotencyKey, signal } = options;
    const accepted = await this.createEdit(await request(), {
      ...(idempotencyKey && { idempotencyKey }),
      ...(signal && { signal }),
    });
    try {
      return await this.wait(accepted.id, options);
    } catch (error) {
      if (signal?.aborted) await this.cancel(accepted.id).catch(() => undefined);
      throw error;
    }
  }

  private uploadInput(input: ImageInput, contentType: ImageContentType | undefined, signal?: AbortSignal) {
    if (typeof input === "string") return Promise.resolve(input);
    return this.upload(input, { ...(contentType && { contentType }), ...(signal && { signal }) });
  }

  /** The edit's event stream, or undefined when this fetch hands out no readable body (the caller then polls). */
  private async openEvents(
    id: string,
    signal: AbortSignal | undefined,
  ): Promise<ReadableStream<Uint8Array> | undefined> {
    const response = await this.transport.api(`/v1/edits/${encodeURIComponent(id)}/events`, {
      method: "GET",
      headers: { accept: "text/event-stream" },
      idempotent: true,
      signal,
    });
    const body = response.body as ReadableStream<Uint8Array> | null | undefined;
    return body && typeof body.getReader === "function" ? body : undefined;
  }

  private json<T>(
    schema: z.ZodType<T>,
    method: "GET" | "POST",
    path: string,
    call: { body?: unknown; headers?: Record<string, string>; idempotent: boolean; signal?: AbortSignal | undefined },
  ) {
    return this.transport.json({ schema, method, path, ...call });
  }
}
