/**
 * @module webhook-signature: Standard Webhooks signing (standardwebhooks.com, spec v1): `whsec_<base64 key>` secrets
 * and the `webhook-signature` header, `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per secret.
 */

export const webhookSecretPrefix = "whsec_";
/** The spec asks for keys of 24 to 64 bytes. */
const secretKeyBytes = 32;

const encoder = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function newWebhookSecret(): string {
  return `${webhookSecretPrefix}${toBase64(crypto.getRandomValues(new Uint8Array(secretKeyBytes)))}`;
}

export interface SignedMessage {
  id: string;
  timestampSeconds: number;
  body: string;
}

/** Space-separated signatures, one per secret: during a rotation receivers holding either secret can verify. */
export async function webhookSignatureHeader(secrets: readonly string[], message: SignedMessage): Promise<string> {
  const content = new Uint8Array(encoder.encode(`${message.id}.${message.timestampSeconds}.${message.body}`));
  const signatures = await Promise.all(
    secrets.map(async (secret) => {
      if (!secret.startsWith(webhookSecretPrefix)) throw new Error("a webhook secret must start with whsec_");
      const key = await crypto.subtle.importKey(
        "raw",
        fromBase64(secret.slice(webhookSecretPrefix.length)),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      return `v1,${toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, content)))}`;
    }),
  );
  return signatures.join(" ");
}
