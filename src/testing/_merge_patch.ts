/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge
 * recursively, `null` deletes, everything else replaces.
 *
 * @module
 */

import { cloneJson, isJsonObject, type Json, type JsonObject } from "./_json.ts";

/**
 * Applies an RFC 7386 JSON merge patch. Iterative, so a patch nested as deep
 * as the server accepts cannot overflow the stack.
 */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isJsonObject(patch)) return cloneJson(patch);
  // One copy of the target; the objects inside it are merged in place.
  const result: JsonObject = isJsonObject(target) ? cloneJson(target) : {};
  const work: [JsonObject, JsonObject][] = [[result, patch]];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const [into, from] = item;
    for (const [key, value] of Object.entries(from)) {
      if (value === null) {
        delete into[key];
      } else if (isJsonObject(value)) {
        const current = into[key];
        const merged: JsonObject = isJsonObject(current) ? current : {};
        into[key] = merged;
        work.push([merged, value]);
      } else {
        into[key] = cloneJson(value);
      }
    }
  }
  return result;
}
