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
  const result = fieldSetOfObject(isJsonObject(config) ? config : {}, "");
  const metadata = result["f:metadata"];
  if (isJsonObject(metadata)) {
    delete metadata["f:name"];
    delete metadata["f:namespace"];
    delete metadata["f:resourceVersion"];
    if (Object.keys(metadata).length === 0) delete result["f:metadata"];
  }
  delete result["f:kind"];
  delete result["f:apiVersion"];
  return result;
}

function fieldSetOfObject(obj: JsonObject, _field: string): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key.startsWith("$")) continue;
    result[`f:${key}`] = fieldSetOfValue(key, value);
  }
  return result;
}

function fieldSetOfValue(field: string, value: Json): JsonObject {
  if (isJsonObject(value)) return fieldSetOfObject(value, field);
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
        set[`k:${JSON.stringify({ [key]: item[key] ?? null })}`] = {
          ".": {},
          ...fieldSetOfObject(item, field),
        };
      }
      return set;
    }
  }
  return {};
}
