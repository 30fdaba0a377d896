/** @module account: the account view, ledger entries, API keys and the admin bodies that manage them. */
import { z } from "zod";
import { inMicroCredits } from "./credits.js";
import { AccountId } from "./ids.js";
import { listLimits } from "./limits.js";

export const Scope = z.enum(["edits:write", "edits:read"]).meta({ id: "Scope" });
export type Scope = z.infer<typeof Scope>;
export const allScopes: Scope[] = ["edits:write", "edits:read"];

export const LedgerKind = z.enum(["grant", "hold", "capture", "release"]).meta({ id: "LedgerKind" });
export type LedgerKind = z.infer<typeof LedgerKind>;

export const LedgerEntry = z
  .object({
    id: z.int(),
    kind: LedgerKind,
    amount: z.int().meta({ description: inMicroCredits("The effect on the available balance (signed)") }),
    held_change: z.int().meta({
      description: inMicroCredits("The effect on the held amount (hold +, capture and release -, grant 0)"),
    }),
    edit_id: z.string().nullable(),
    note: z.string().nullable(),
    livemode: z.boolean().meta({
      description: "false for the rows of test-mode edits, which move no credits (amount and held_change 0)",
    }),
    created_at: z.iso.datetime(),
  })
  .meta({ id: "LedgerEntry" });
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const AccountView = z
  .object({
    id: AccountId,
    name: z.string(),
    balance: z.int().meta({ description: inMicroCredits("Available to spend (not counting holds)") }),
    held: z.int().meta({ description: inMicroCredits("Reserved by edits in flight") }),
    livemode: z.boolean().optional().meta({
      description:
        "The asking key's mode; recent_ledger holds that mode's rows only. Absent in admin views (all rows).",
    }),
    recent_ledger: z.array(LedgerEntry).meta({
      description: "The newest ledger entries (at most 20); GET /v1/account/ledger pages through all of them",
    }),
  })
  .meta({ id: "Account" });
export type AccountView = z.infer<typeof AccountView>;

export const LedgerListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(listLimits.maxLimit).default(listLimits.defaultLimit),
  cursor: z.string().max(200).optional(),
});
export type LedgerListQuery = z.infer<typeof LedgerListQuery>;

export const LedgerPage = z
  .object({
    data: z.array(LedgerEntry),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as cursor for the next (older) page; null at the end" }),
  })
  .meta({ id: "LedgerPage" });
export type LedgerPage = z.infer<typeof LedgerPage>;

export const WebhookSecret = z
  .object({ secret: z.string().regex(/^whsec_/), created_at: z.iso.datetime() })
  .meta({ id: "WebhookSecret" });

export const CreateAccountRequest = z.object({ name: z.string().min(1).max(200) }).meta({ id: "CreateAccountRequest" });
export const GrantCreditsRequest = z
  .object({
    amount: z
      .int()
      .min(1)
      .max(1_000_000_000_000)
      .meta({ description: inMicroCredits("The grant") }),
    note: z.string().max(500).optional(),
  })
  .meta({ id: "GrantCreditsRequest" });
export const CreateKeyRequest = z
  .object({
    mode: z.enum(["live", "test"]).default("live"),
    scopes: z.array(Scope).min(1).default(allScopes),
    name: z.string().max(200).optional(),
    rate_limit_per_minute: z
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .meta({ description: "Requests per minute for this key; omitted = the deployment's default" }),
  })
  .meta({ id: "CreateKeyRequest" });
export const ApiKeyView = z
  .object({
    id: z.string(),
    prefix: z.string().meta({ description: "sk_live_<id> or sk_test_<id>: public, shows in logs" }),
    scopes: z.array(Scope),
    name: z.string().nullable(),
    rate_limit_per_minute: z.int().nullable().meta({ description: "null = the deployment's default" }),
    created_at: z.iso.datetime(),
    last_used_at: z.iso.datetime().nullable(),
    revoked_at: z.iso.datetime().nullable(),
  })
  .meta({ id: "ApiKey" });
export const CreatedKey = ApiKeyView.extend({
  key: z.string().meta({ description: "The full key; shown once, stored only hashed" }),
}).meta({ id: "CreatedKey" });

export type CreateAccountRequest = z.infer<typeof CreateAccountRequest>;
export type GrantCreditsRequest = z.infer<typeof GrantCreditsRequest>;
export type CreateKeyRequest = z.output<typeof CreateKeyRequest>;
export type ApiKeyView = z.infer<typeof ApiKeyView>;
export type CreatedKey = z.infer<typeof CreatedKey>;
