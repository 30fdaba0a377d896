/** @module idempotency-key: a fresh Idempotency-Key per submission, from whatever randomness the runtime has. */

/**
 * 128 random bits as 32 hex digits after `idem_`. crypto.getRandomValues where it exists (browsers, Node, Deno,
 * Workers, React Native with a getRandomValues polyfill); else Math.random with the time mixed in. A key needs to be
 * unique among one account's submissions of a day, not secret, so the fallback is sufficient there.
 */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  const webCrypto = (globalThis as { crypto?: Pick<typeof crypto, "getRandomValues"> }).crypto;
  if (typeof webCrypto?.getRandomValues === "function") webCrypto.getRandomValues(bytes);
  else {
    const now = Date.now();
    for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.random() * 256) ^ (i < 6 ? (now / 2 ** (8 * i)) & 0xff : 0);
  }
  return `idem_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
