/** @module dev-account: the local stack's account with credits and an API key, made through the admin routes. */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { AccountView, CreatedKey, microCreditsPerCredit } from "@stochedit/shared";
import { z } from "zod";

export interface DevAccount {
  readonly accountId: string;
  readonly apiKey: string;
  readonly balanceMicroCredits: number;
}

const SavedAccount = z.object({ account_id: z.string(), api_key: z.string() });

/** Topped up to this on every start: 100 credits, enough for hundreds of local edits. */
const creditsFloorMicro = 100 * microCreditsPerCredit;

/**
 * Reuses the account saved in `statePath` when the edge still knows it and its key still works (the local D1
 * persists between starts); otherwise creates a new account and key, and saves them. Tops the balance up.
 */
export async function ensureDevAccount(edgeUrl: string, operatorToken: string, statePath: string): Promise<DevAccount> {
  const admin = adminClient(edgeUrl, operatorToken);
  const saved = existsSync(statePath)
    ? SavedAccount.safeParse(JSON.parse(await readFile(statePath, "utf8")))
    : undefined;
  let accountId: string;
  let apiKey: string;
  if (saved?.success && (await keyWorks(edgeUrl, saved.data.api_key))) {
    accountId = saved.data.account_id;
    apiKey = saved.data.api_key;
  } else {
    accountId = AccountView.parse(await admin("POST", "/admin/accounts", { name: "local developer" })).id;
    apiKey = CreatedKey.parse(
      await admin("POST", `/admin/accounts/${accountId}/keys`, { mode: "test", name: "npm start" }),
    ).key;
    await writeFile(statePath, `${JSON.stringify({ account_id: accountId, api_key: apiKey }, null, 2)}\n`, {
      mode: 0o600,
    });
  }
  let account = AccountView.parse(await admin("GET", `/admin/accounts/${accountId}`));
  if (account.balance < creditsFloorMicro) {
    const grant = { amount: creditsFloorMicro - account.balance, note: "npm start top-up" };
    account = AccountView.parse(await admin("POST", `/admin/accounts/${accountId}/credits`, grant));
  }
  return { accountId, apiKey, balanceMicroCredits: account.balance };
}

function adminClient(edgeUrl: string, operatorToken: string) {
  return async (method: "GET" | "POST", path: string, body?: object): Promise<unknown> => {
    const response = await fetch(`${edgeUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${operatorToken}`, "content-type": "application/json" },
      ...(body && { body: JSON.stringify(body) }),
    });
    const answer: unknown = await response.json();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  };
}

async function keyWorks(edgeUrl: string, apiKey: string): Promise<boolean> {
  const response = await fetch(`${edgeUrl}/v1/account`, { headers: { authorization: `Bearer ${apiKey}` } });
  await response.body?.cancel();
  return response.ok;
}
