/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge
 * recursively, `null` deletes, everything else replaces.
 *
 * @module
 */

import { cloneJson, isJsonObject, type Json, type JsonObject } from "./_json.ts";

/** Applies an RFC 7386 JSON merge patch. */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: JsonObject = isJsonObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
