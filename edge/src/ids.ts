/** @module ids: random identifiers (prefix + base62), drawn from crypto.getRandomValues without modulo bias. */

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 62 x 4 = 248: bytes at or above it are redrawn, so every character is equally likely. */
const unbiasedByteLimit = 248;

/** `length` base62 characters: about 5.95 bits of entropy each. */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < unbiasedByteLimit && out.length < length) out += alphabet[byte % 62];
    }
  }
  return out;
}

export const newAccountId = () => `acct_${randomBase62(20)}`;
export const newUploadId = () => `up_${randomBase62(20)}`;
export const newEditId = () => `ed_${randomBase62(20)}`;

/** A uniformly random seed in [0, 2^32 - 1], recorded on the job when the request gives none. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}
