/**
 * A patch request's body applied to an object, by patch type (the request's
 * content type). Each format lives in its own file; this one only chooses
 * between them and turns a patch that cannot apply into the 422 a real
 * server sends.
 *
 * Every function returns a new value and leaves its inputs untouched.
 *
 * @module
 */

import { applyJsonPatch } from "./_json_patch.ts";
import type { Json } from "./_json.ts";
import { PatchError } from "./_json.ts";
import { applyMergePatch } from "./_merge_patch.ts";
import { failure, StatusError } from "./_status.ts";
import { applyStrategicMergePatch } from "./_strategic_merge_patch.ts";

// Re-exported for tests/testing/patch_test.ts, which reads the formats from here.
export { applyJsonPatch } from "./_json_patch.ts";
export { applyMergePatch } from "./_merge_patch.ts";
export { applyStrategicMergePatch } from "./_strategic_merge_patch.ts";
export { fieldSet } from "./_field_set.ts";
export { type Json, PatchError } from "./_json.ts";

/** Supported patch types, by content type (`apply` is server-side apply). */
export type PatchType = "json" | "merge" | "strategic" | "apply";

/** The patch types that transform a document (apply also records field ownership). */
export type DocumentPatchType = Exclude<PatchType, "apply">;

/** Patch type of each accepted `Content-Type`. */
export const PATCH_CONTENT_TYPES: Readonly<Record<string, PatchType>> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

const APPLIERS: Readonly<Record<DocumentPatchType, (base: Json, patch: Json) => Json>> = {
  json: applyJsonPatch,
  merge: applyMergePatch,
  strategic: applyStrategicMergePatch,
};

/** Applies a JSON, merge or strategic merge patch; a patch that cannot apply is 422. */
export function applyPatch(base: Json, type: DocumentPatchType, patch: unknown): Json {
  try {
    return APPLIERS[type](base, patch as Json);
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
    // kube-apiserver does not say which operation failed.
    throw new StatusError(
      failure(422, "Invalid", "the server rejected our request due to an error in our request", {}),
    );
  }
}
