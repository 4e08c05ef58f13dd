/**
 * The field sets recorded in `managedFields` (`fieldsV1`) by server-side
 * apply and by updates.
 *
 * @module
 */

import { isJsonObject, type Json, type JsonObject } from "./_json.ts";
import { MERGED_PRIMITIVE_LISTS, mergeKeyFor } from "./_strategic_merge_patch.ts";

/**
 * The `fieldsV1` set of an applied configuration: `f:<field>` for object
 * fields, `k:{"<mergeKey>":…}` for items of keyed lists, `v:<value>` for
 * merged primitive lists; `.` marks an item itself. `metadata.name`,
 * `namespace`, `kind` and `apiVersion` are not recorded.
 */
export function fieldSet(config: Json): JsonObject {
  const set = fieldSetOfObject(isJsonObject(config) ? config : {}, "");
  // Copies rather than `delete`: objects that had fields deleted are serialised by a
  // recursive path of JSON.stringify that fails on sets nested thousands deep.
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(set)) {
    if (key === "f:kind" || key === "f:apiVersion") continue;
    if (key === "f:metadata" && isJsonObject(value)) {
      const metadata = Object.fromEntries(
        Object.entries(value).filter(([field]) => !UNRECORDED_METADATA.includes(field)),
      );
      if (Object.keys(metadata).length > 0) result[key] = metadata;
      continue;
    }
    result[key] = value;
  }
  return result;
}

const UNRECORDED_METADATA = ["f:name", "f:namespace", "f:resourceVersion"];

/** An object whose field set is still to be written into `into`. */
type FieldSetWork = [from: JsonObject, into: JsonObject];

/** The field set of an object; iterative, so any nesting the server accepts is safe. */
function fieldSetOfObject(obj: JsonObject, _field: string): JsonObject {
  const root: JsonObject = {};
  const work: FieldSetWork[] = [[obj, root]];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const [from, into] = item;
    for (const [key, value] of Object.entries(from)) {
      if (key.startsWith("$")) continue;
      into[`f:${key}`] = fieldSetOfValue(key, value, work);
    }
  }
  return root;
}

function fieldSetOfValue(field: string, value: Json, work: FieldSetWork[]): JsonObject {
  if (isJsonObject(value)) {
    const set: JsonObject = {};
    work.push([value, set]);
    return set;
  }
  if (Array.isArray(value)) {
    if (MERGED_PRIMITIVE_LISTS.has(field)) {
      const set: JsonObject = {};
      for (const v of value) set[`v:${JSON.stringify(v)}`] = {};
      return set;
    }
    const key = mergeKeyFor(field, value);
    if (key !== undefined && value.every(isJsonObject)) {
      const set: JsonObject = {};
      for (const item of value as JsonObject[]) {
        const entry: JsonObject = { ".": {} };
        set[`k:${JSON.stringify({ [key]: item[key] ?? null })}`] = entry;
        work.push([item, entry]);
      }
      return set;
    }
  }
  return {};
}
