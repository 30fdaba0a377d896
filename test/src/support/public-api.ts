/** @module public-api: the calls an app makes (uploads, edits, account, ledger), each answer checked by its schema. */
import {
  AccountView,
  Edit,
  EditAccepted,
  EditList,
  EditPreviewList,
  type EditRequestInput,
  type EditStatus,
  type ImageContentType,
  type LedgerEntry,
  LedgerPage,
  Quote,
  UploadResponse,
  type WebhookDelivery,
  WebhookDeliveryList,
  WebhookSecret,
} from "@stochedit/shared";
import type { z } from "zod";

export class ApiClient {
  constructor(
    private readonly edgeUrl: string,
    private readonly apiKey: string,
  ) {}

  /** POST /v1/uploads, then the PUT to S3 with exactly the headers the edge signed. */
  async upload(bytes: Uint8Array, contentType: ImageContentType): Promise<string> {
    return (await this.uploadKeepingUrl(bytes, contentType)).upload_id;
  }

  /** As upload, with the presigned PUT, which stays usable until it expires (`putAgain`). */
  async uploadKeepingUrl(bytes: Uint8Array, contentType: ImageContentType): Promise<UploadResponse> {
    const upload = await this.call(UploadResponse, "POST", "/v1/uploads", {
      content_type: contentType,
      content_length: bytes.byteLength,
    });
    await this.putAgain(upload, bytes);
    return upload;
  }

  async putAgain(upload: UploadResponse, bytes: Uint8Array): Promise<void> {
    const put = await fetch(upload.url, { method: "PUT", headers: upload.headers, body: bytes });
    if (!put.ok) throw new Error(`the upload PUT answered ${put.status}: ${await put.text()}`);
  }

  quote(request: EditRequestInput): Promise<Quote> {
    return this.call(Quote, "POST", "/v1/quote", request);
  }

  submit(request: EditRequestInput): Promise<EditAccepted> {
    return this.call(EditAccepted, "POST", "/v1/edits", request);
  }

  edit(id: string): Promise<Edit> {
    return this.call(Edit, "GET", `/v1/edits/${id}`);
  }

  cancel(id: string): Promise<Edit> {
    return this.call(Edit, "POST", `/v1/edits/${id}/cancel`);
  }

  /** The newest edits (up to 100) in `status`. */
  async editsIn(status: EditStatus): Promise<Edit[]> {
    return (await this.call(EditList, "GET", `/v1/edits?status=${status}&limit=100`)).data;
  }

  /** Every webhook delivery attempt of the edit, oldest first. */
  async deliveries(id: string): Promise<WebhookDelivery[]> {
    return (await this.call(WebhookDeliveryList, "GET", `/v1/edits/${id}/deliveries`)).data;
  }

  /** The account's whsec_ secret its webhooks are signed with. */
  async webhookSecret(): Promise<string> {
    return (await this.call(WebhookSecret, "GET", "/v1/account/webhook-secret")).secret;
  }

  /** The latest run's previews of the edit, by index. */
  async previews(id: string): Promise<EditPreviewList["data"]> {
    return (await this.call(EditPreviewList, "GET", `/v1/edits/${id}/previews`)).data;
  }

  /** GET /v1/edits/{id}/events: the open stream (read it with readEditEvents). */
  async events(id: string, lastEventId?: string): Promise<Response> {
    const response = await fetch(`${this.edgeUrl}/v1/edits/${id}/events`, {
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        ...(lastEventId !== undefined && { "last-event-id": lastEventId }),
      },
    });
    if (!response.ok) throw new Error(`GET /v1/edits/${id}/events answered ${response.status}`);
    return response;
  }

  account(): Promise<AccountView> {
    return this.call(AccountView, "GET", "/v1/account");
  }

  /** Every ledger entry of the account, newest first, through GET /v1/account/ledger's pages. */
  async ledger(): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? "limit=100" : `limit=100&cursor=${cursor}`;
      const page: LedgerPage = await this.call(LedgerPage, "GET", `/v1/account/ledger?${query}`);
      entries.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor !== null);
    return entries;
  }

  private async call<T>(schema: z.ZodType<T>, method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.edgeUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.apiKey}`, "content-type": "application/json" },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const answer: unknown = await response.json();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return schema.parse(answer);
  }
}
