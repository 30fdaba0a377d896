/**
 * @module webhook-secrets: D1 queries for each account's webhook signing secret: read (made on first use), rotate. The
 * caller mints the secrets (webhooks/webhook-signature.ts newWebhookSecret).
 */

export interface WebhookSecretRow {
  secret: string;
  created_at: number;
}

/** A retired secret keeps signing, beside the new one, this long: receivers have a day to switch. */
export const rotationGraceMs = 24 * 60 * 60 * 1000;

/**
 * The account's current secret; the first call stores `newSecret` as it (a concurrent first call gets the same), a
 * later one leaves `newSecret` unused.
 */
export async function currentWebhookSecret(
  db: D1Database,
  accountId: string,
  newSecret: string,
  nowMs: number,
): Promise<WebhookSecretRow> {
  const [, current] = await db.batch<WebhookSecretRow>([
    // The partial unique index on (account_id) WHERE retired_at IS NULL turns a second current secret into a no-op.
    db
      .prepare("INSERT INTO webhook_secrets (account_id, secret, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
      .bind(accountId, newSecret, nowMs),
    db
      .prepare("SELECT secret, created_at FROM webhook_secrets WHERE account_id = ? AND retired_at IS NULL")
      .bind(accountId),
  ]);
  return current!.results[0]!;
}

/** Retires the current secret and makes `newSecret` the current one, in one transaction. */
export async function rotateWebhookSecret(
  db: D1Database,
  accountId: string,
  newSecret: string,
  nowMs: number,
): Promise<WebhookSecretRow> {
  const fresh = { secret: newSecret, created_at: nowMs };
  await db.batch([
    db
      .prepare("UPDATE webhook_secrets SET retired_at = ? WHERE account_id = ? AND retired_at IS NULL")
      .bind(nowMs, accountId),
    db
      .prepare("INSERT INTO webhook_secrets (account_id, secret, created_at) VALUES (?, ?, ?)")
      .bind(accountId, fresh.secret, fresh.created_at),
  ]);
  return fresh;
}

/**
 * The secrets a delivery is signed with: the current one first (`newSecret` when the account has none yet), then those
 * retired within the grace period.
 */
export async function signingSecrets(
  db: D1Database,
  accountId: string,
  newSecret: string,
  nowMs: number,
): Promise<string[]> {
  const current = await currentWebhookSecret(db, accountId, newSecret, nowMs);
  const { results } = await db
    .prepare(
      "SELECT secret FROM webhook_secrets WHERE account_id = ? AND retired_at > ? ORDER BY retired_at DESC LIMIT 4",
    )
    .bind(accountId, nowMs - rotationGraceMs)
    .all<{ secret: string }>();
  return [current.secret, ...results.map((row) => row.secret)];
}
