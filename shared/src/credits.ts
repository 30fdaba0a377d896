/** @module credits: the API's unit of money (integer micro-credits) and the one way an amount is written for people. */

/** 1 credit = 1,000,000 micro-credits. Every amount in the API (balance, held, price, charged) is micro-credits. */
export const microCreditsPerCredit = 1_000_000;

const fractionDigits = String(microCreditsPerCredit).length - 1;

/**
 * An amount as the start banner, the playground and the docs write it: exact decimal credits, then the integer the
 * API shows. 100_000_000 -> "100 credits (100000000 micro-credits)"; 34_200 -> "0.0342 credits (34200
 * micro-credits)". No floating point: the digits are the integer's.
 */
export function formatCredits(microCredits: number): string {
  if (!Number.isSafeInteger(microCredits))
    throw new RangeError(`${microCredits} is not a whole number of micro-credits`);
  const sign = microCredits < 0 ? "-" : "";
  const magnitude = Math.abs(microCredits);
  const whole = Math.floor(magnitude / microCreditsPerCredit);
  const fraction = String(magnitude % microCreditsPerCredit)
    .padStart(fractionDigits, "0")
    .replace(/0+$/, "");
  const credits = `${sign}${whole}${fraction ? `.${fraction}` : ""} credit${magnitude === microCreditsPerCredit ? "" : "s"}`;
  return `${credits} (${microCredits} micro-credit${magnitude === 1 ? "" : "s"})`;
}

/** The OpenAPI description of an amount field: what it is, then its unit. */
export function inMicroCredits(what: string): string {
  return `${what}, in micro-credits (an integer; 1 credit = ${microCreditsPerCredit})`;
}
