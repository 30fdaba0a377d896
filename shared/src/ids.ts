/** @module ids: the public identifier formats (prefix + URL-safe random part). */
import { z } from "zod";

const idPattern = (prefix: string) => new RegExp(`^${prefix}_[A-Za-z0-9]{16,40}$`);

export const UploadId = z
  .string()
  .regex(idPattern("up"), "must be an upload id like up_3f9a... returned by POST /v1/uploads")
  .meta({ id: "UploadId", example: "up_8Jk2mQ4xZr7TnW1bVc5y" });

export const EditId = z
  .string()
  .regex(idPattern("ed"), "must be an edit id like ed_3f9a...")
  .meta({ id: "EditId", example: "ed_Q2w9Xk4LmN7pR1tYv8Zb" });

/** An edit's input image: an upload, or a succeeded edit of the same account whose output is then the input. */
export const ImageSource = z
  .string()
  .regex(
    /^(up|ed)_[A-Za-z0-9]{16,40}$/,
    "must be an upload id (up_...) or the id of a succeeded edit (ed_...) whose output is the input",
  )
  .meta({ id: "ImageSource", example: "up_8Jk2mQ4xZr7TnW1bVc5y" });

export const AccountId = z
  .string()
  .regex(idPattern("acct"), "must be an account id like acct_...")
  .meta({ id: "AccountId" });

/**
 * A resource named in a URL path (`/v1/edits/{id}`). Any string is accepted: one that names nothing the caller can
 * see, whatever its shape, is a 404 `not_found` (as Stripe and GitHub answer), never a 422.
 */
function pathId(what: string, example: string) {
  return z.string().meta({ description: `${what}; any string that names none is a 404`, example });
}

export const EditIdInPath = pathId("An edit id (ed_...)", "ed_Q2w9Xk4LmN7pR1tYv8Zb");
export const AccountIdInPath = pathId("An account id (acct_...)", "acct_7Hc2pLq9XwT4mZ8rVb3n");
export const ApiKeyIdInPath = pathId(
  "An API key's public id (the 16 characters after sk_live_ or sk_test_)",
  "x7Kp2mQ9wL4tZ8rB",
);

export type UploadId = z.infer<typeof UploadId>;
export type EditId = z.infer<typeof EditId>;
export type ImageSource = z.infer<typeof ImageSource>;
export type AccountId = z.infer<typeof AccountId>;
