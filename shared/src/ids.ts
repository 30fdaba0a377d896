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

export const AccountId = z
  .string()
  .regex(idPattern("acct"), "must be an account id like acct_...")
  .meta({ id: "AccountId" });

export type UploadId = z.infer<typeof UploadId>;
export type EditId = z.infer<typeof EditId>;
export type AccountId = z.infer<typeof AccountId>;
