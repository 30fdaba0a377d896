/**
 * @module edit-inputs: the objects an edit reads. A quote reads the caller's uploads; a submission first copies them
 * to keys of the edit's own (`pinInputs`) and prices and runs the copies, so a PUT to an upload's URL after pricing
 * (a presigned URL stays valid for its 15 minutes, as often as it is used) cannot change what runs. A chained edit's
 * image is a succeeded edit's output, copied the same way.
 */
import { type EditRequest, retentionLimits } from "@stochedit/shared";
import type { EdgeConfig } from "../config.js";
import type { DataScope } from "../db/data-scope.js";
import { readEdit } from "../db/edits.js";
import { readUpload } from "../db/uploads.js";
import { fieldProblem } from "../http/api-error.js";
import { copyObject, deleteObject, editInputKey } from "../storage/object-store.js";
import { keptOutput } from "../views/edit-view.js";

export type InputField = "image" | "mask";

export interface EditInput {
  field: InputField;
  /** The upload the input is, or (a chained edit's image) the upload its chain started from. */
  uploadId: string;
  /** The object to read: the upload's own, or the edit's copy of it. */
  key: string;
}

export interface EditInputs {
  image: EditInput;
  mask: EditInput | undefined;
  /** A chained edit's parent: the succeeded edit whose output is the image. */
  parentEditId: string | null;
}

/**
 * The request's uploads, or for an image named by an edit id that edit's output; all must be the caller's and of the
 * caller's mode (another account's upload or edit, or one made with a key of the other mode, reads as missing).
 */
export async function uploadedInputs(db: D1Database, scope: DataScope, request: EditRequest): Promise<EditInputs> {
  const maskId = request.task === "img2img" ? undefined : request.mask;
  const chained = request.image.startsWith("ed_");
  const [image, mask] = await Promise.all([
    chained ? parentOutput(db, scope, request.image) : uploadedInput(db, scope, "image", request.image),
    maskId === undefined ? undefined : uploadedInput(db, scope, "mask", maskId),
  ]);
  return { image, mask, parentEditId: chained ? request.image : null };
}

async function parentOutput(db: D1Database, scope: DataScope, editId: string): Promise<EditInput> {
  const parent = await readEdit(db, scope, editId);
  if (!parent) throw fieldProblem("image", `edit ${editId} does not exist`);
  if (parent.purged_at !== null) throw fieldProblem("image", `the output of edit ${editId} was deleted`);
  const output = keptOutput(parent);
  if (!output) {
    throw fieldProblem("image", `edit ${editId} is ${parent.status}: only a succeeded edit's output can be edited on`);
  }
  return { field: "image", uploadId: parent.image_upload_id, key: output.key };
}

async function uploadedInput(db: D1Database, scope: DataScope, field: InputField, uploadId: string) {
  const upload = await readUpload(db, scope, uploadId);
  if (!upload) throw fieldProblem(field, `upload ${uploadId} does not exist; create one with POST /v1/uploads`);
  if (upload.purged_at !== null) {
    throw fieldProblem(
      field,
      `upload ${uploadId} was deleted (uploads are kept ${retentionLimits.uploadSeconds / 3600} hours, or until ` +
        "the edits that used them are deleted); upload the image again",
    );
  }
  return { field, uploadId, key: upload.object_key };
}

/** Copies each upload to the edit's own key; the copies are what the edit is priced from and run on. */
export async function pinInputs(
  s3: EdgeConfig["s3"],
  inputs: EditInputs,
  accountId: string,
  editId: string,
): Promise<EditInputs> {
  const pin = async (input: EditInput): Promise<EditInput> => {
    const key = editInputKey(accountId, editId, input.field);
    if (!(await copyObject(s3, input.key, key))) throw nothingUploaded(input);
    return { ...input, key };
  };
  const [image, mask] = await Promise.allSettled([pin(inputs.image), inputs.mask && pin(inputs.mask)]);
  if (image.status === "fulfilled" && mask.status === "fulfilled") {
    return { image: image.value, mask: mask.value, parentEditId: inputs.parentEditId };
  }
  // One copy failed: the other is of no use.
  const made = [image, mask].flatMap((copy) => (copy.status === "fulfilled" && copy.value ? [copy.value] : []));
  await discardInputCopies(s3, made);
  throw image.status === "rejected" ? image.reason : (mask as PromiseRejectedResult).reason;
}

/** Deletes the copies of a submission that made no edit (refused, or a concurrent retry made it). */
export async function discardInputCopies(s3: EdgeConfig["s3"], copies: (EditInput | undefined)[]): Promise<void> {
  const keys = copies.flatMap((copy) => (copy ? [copy.key] : []));
  const deleted = await Promise.allSettled(keys.map((key) => deleteObject(s3, key)));
  for (const outcome of deleted) {
    if (outcome.status === "rejected") {
      // Only storage is lost: the copy is never read, as no edit names it.
      console.error(
        JSON.stringify({ level: "warn", message: "unused input copy not deleted", error: String(outcome.reason) }),
      );
    }
  }
}

export function nothingUploaded(input: EditInput) {
  return fieldProblem(
    input.field,
    `nothing has been uploaded for ${input.uploadId}: PUT the file to its upload URL first`,
  );
}
