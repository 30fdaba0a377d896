/** @module api-key-format: minting and parsing `sk_<live|test>_<id>_<secret>` keys; only their hash is stored. */
import type { KeyMode } from "../db/api-keys.js";
import { randomBase62 } from "../ids.js";
import { sha256Hex } from "./digest.js";

/** 16 base62 characters (~95 bits) identify the key publicly; 32 more (~190 bits) are the secret. */
const idLength = 16;
const secretLength = 32;
const keyPattern = new RegExp(`^sk_(live|test)_([A-Za-z0-9]{${idLength}})_([A-Za-z0-9]{${secretLength}})$`);

export interface MintedKey {
  id: string;
  /** The whole key: handed to the caller once, never stored. */
  key: string;
  /** Public, safe for logs. */
  prefix: string;
  /** SHA-256 of the whole key: what the database keeps. With ~190 random bits a plain hash cannot be reversed. */
  keySha256: string;
}

export async function mintApiKey(mode: KeyMode): Promise<MintedKey> {
  const id = randomBase62(idLength);
  const prefix = `sk_${mode}_${id}`;
  const key = `${prefix}_${randomBase62(secretLength)}`;
  return { id, key, prefix, keySha256: await sha256Hex(key) };
}

export interface ParsedKey {
  mode: KeyMode;
  id: string;
}

/** The mode and public id of a well-formed key, or undefined. Says nothing about whether the key is valid. */
export function parseApiKey(presented: string): ParsedKey | undefined {
  const match = keyPattern.exec(presented);
  if (!match) return undefined;
  return { mode: match[1] as KeyMode, id: match[2]! };
}

export function keyPrefix(mode: KeyMode, id: string): string {
  return `sk_${mode}_${id}`;
}
