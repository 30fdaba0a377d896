/**
 * @module dev-account: the local stack's account with credits, a live API key (its edits are charged, run on the
 * default model) and a test key (free, run on the test model), made through the admin routes.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { AccountView, CreatedKey, microCreditsPerCredit } from "@stochedit/shared";
import { z } from "zod";

export interface DevAccount {
  readonly accountId: string;
  /** sk_live_...: charged from the account's (local) credits. */
  readonly apiKey: string;
  /** sk_test_...: free, deterministic, on the test model; sees only test data. */
  readonly testApiKey: string;
  readonly balanceMicroCredits: number;
}

/** A file written before test mode (one key, a test key, as api_key) does not parse: a new account is made. */
const SavedAccount = z.object({
  account_id: z.string(),
  api_key: z.string().startsWith("sk_live_"),
  test_api_key: z.string().startsWith("sk_test_"),
});

/** Topped up to this on every start: 100 credits, enough for hundreds of local edits. */
const creditsFloorMicro = 100 * microCreditsPerCredit;

/**
 * Reuses the account saved in `statePath` when the edge still knows it and its keys still work (the local D1
 * persists between starts); otherwise creates a new account and keys, and saves them. Tops the balance up.
 */
export async function ensureDevAccount(edgeUrl: string, operatorToken: string, statePath: string): Promise<DevAccount> {
  const admin = adminClient(edgeUrl, operatorToken);
  const saved = existsSync(statePath)
    ? SavedAccount.safeParse(JSON.parse(await readFile(statePath, "utf8")))
    : undefined;
  let state = saved?.success ? saved.data : undefined;
  const reusable = state && (await keyWorks(edgeUrl, state.api_key)) && (await keyWorks(edgeUrl, state.test_api_key));
  if (!reusable || !state) {
    const accountId = AccountView.parse(await admin("POST", "/admin/accounts", { name: "local developer" })).id;
    const mint = async (mode: "live" | "test") =>
      CreatedKey.parse(await admin("POST", `/admin/accounts/${accountId}/keys`, { mode, name: `npm start (${mode})` }))
        .key;
    state = { account_id: accountId, api_key: await mint("live"), test_api_key: await mint("test") };
    await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  }
  const { account_id: accountId, api_key: apiKey, test_api_key: testApiKey } = state;
  let account = AccountView.parse(await admin("GET", `/admin/accounts/${accountId}`));
  if (account.balance < creditsFloorMicro) {
    const grant = { amount: creditsFloorMicro - account.balance, note: "npm start top-up" };
    account = AccountView.parse(await admin("POST", `/admin/accounts/${accountId}/credits`, grant));
  }
  return { accountId, apiKey, testApiKey, balanceMicroCredits: account.balance };
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
