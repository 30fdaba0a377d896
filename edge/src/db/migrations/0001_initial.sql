-- Accounts, API keys, the credits ledger, uploads and edits. Times are integer milliseconds since the epoch;
-- money is integer micro-credits. The CHECKs make a negative balance or hold impossible, whatever the code does.

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  balance_micro INTEGER NOT NULL DEFAULT 0 CHECK (balance_micro >= 0),
  held_micro INTEGER NOT NULL DEFAULT 0 CHECK (held_micro >= 0),
  created_at INTEGER NOT NULL
);

-- A key is sk_<mode>_<id>_<secret>; only the SHA-256 of the whole key is kept.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  mode TEXT NOT NULL CHECK (mode IN ('live', 'test')),
  key_sha256 TEXT NOT NULL,
  scopes_json TEXT NOT NULL,
  name TEXT,
  rate_limit_per_minute INTEGER CHECK (rate_limit_per_minute > 0),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_keys_account ON api_keys (account_id, created_at);

-- Every movement of credits. amount_micro is the effect on the available balance, held_change_micro the effect
-- on the held amount, so SUM(amount_micro) = balance and SUM(held_change_micro) = held for every account.
CREATE TABLE ledger_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL CHECK (kind IN ('grant', 'hold', 'capture', 'release')),
  amount_micro INTEGER NOT NULL,
  held_change_micro INTEGER NOT NULL,
  edit_id TEXT,
  note TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, id);
-- An edit is held once and settled (captured or released) once, whatever retries or races happen.
CREATE UNIQUE INDEX ledger_entries_one_hold ON ledger_entries (edit_id) WHERE kind = 'hold';
CREATE UNIQUE INDEX ledger_entries_one_settlement ON ledger_entries (edit_id) WHERE kind IN ('capture', 'release');

CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  object_key TEXT NOT NULL UNIQUE,
  content_type TEXT NOT NULL,
  content_length INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  url_expires_at INTEGER NOT NULL
);

CREATE TABLE edits (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  task TEXT NOT NULL CHECK (task IN ('drag', 'inpaint', 'img2img')),
  sampler TEXT NOT NULL CHECK (sampler IN ('sde', 'ode')),
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled', 'expired')),
  -- The parsed request (defaults filled in, seed fixed): what the runner executes.
  request_json TEXT NOT NULL,
  image_upload_id TEXT NOT NULL REFERENCES uploads(id),
  mask_upload_id TEXT REFERENCES uploads(id),
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  price_micro INTEGER NOT NULL CHECK (price_micro >= 0),
  charged_micro INTEGER NOT NULL DEFAULT 0,
  seed INTEGER NOT NULL,
  model TEXT NOT NULL,
  progress_step INTEGER NOT NULL DEFAULT 0,
  progress_total INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  error_json TEXT,
  output_json TEXT,
  idempotency_key TEXT,
  request_sha256 TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  UNIQUE (account_id, idempotency_key)
);
CREATE INDEX edits_account_newest ON edits (account_id, created_at DESC, id DESC);
CREATE INDEX edits_account_status_newest ON edits (account_id, status, created_at DESC, id DESC);
