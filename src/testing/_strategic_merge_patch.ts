/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) for the
 * common list-of-maps-with-merge-key fields of the built-in kinds.
 *
 * The merge keys are a table here rather than read from the Go struct tags
 * (`patchMergeKey` in `k8s.io/api`), which the fake does not have.
 *
 * @module
 */

import {
  cloneJson,
  copyJsonWithout,
  isJsonObject,
  type Json,
  jsonEqual,
  type JsonObject,
  PatchError,
} from "./_json.ts";

/** Merge keys of the list fields that strategic merge treats as maps keyed by a field. */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  conditions: "type",
  ownerReferences: "uid",
  imagePullSecrets: "name",
  hostAliases: "ip",
  topologySpreadConstraints: "topologyKey",
  resourceClaims: "name",
  addresses: "type",
  readinessGates: "conditionType",
  schedulingGates: "name",
  podIPs: "ip",
  hostIPs: "ip",
};

/** Primitive lists that strategic merge unions instead of replacing. */
export const MERGED_PRIMITIVE_LISTS: ReadonlySet<string> = new Set(["finalizers"]);

/** The merge key of a keyed list field (`ports` by `containerPort` or `port`), if any. */
export function mergeKeyFor(field: string, items: readonly Json[]): string | undefined {
  if (field === "ports") {
    const first = items.find(isJsonObject);
    if (first === undefined) return undefined;
    return Object.hasOwn(first, "containerPort") ? "containerPort" : "port";
  }
  return MERGE_KEYS[field];
}

const DIRECTIVE_PREFIXES = ["$setElementOrder/", "$deleteFromPrimitiveList/", "$retainKeys"];

/**
 * An object still to merge: `patch` into `target` (part of the copy this
 * merge owns), the result stored in `holder` at field `key`, or, in a list,
 * where `target` is by then (items before it may have been deleted). Nested
 * objects become further work instead of recursion, so a patch nested as
 * deep as the server accepts cannot overflow the stack; work is done in the
 * order it was found, so two patch items for one list item apply in order.
 */
type MergeWork =
  | [holder: JsonObject, key: string, target: Json, patch: JsonObject]
  | [holder: Json[], key: JsonObject, target: JsonObject, patch: JsonObject];

function strategicMergeObject(target: JsonObject | undefined, patch: JsonObject): JsonObject {
  const root: JsonObject = {};
  const work: MergeWork[] = [[root, "", isJsonObject(target) ? cloneJson(target) : {}, patch]];
  for (let i = 0; i < work.length; i++) {
    const item = work[i]!;
    const merged = mergeOne(item[2], item[3], work);
    if (Array.isArray(item[0])) {
      const index = item[0].indexOf(item[1] as JsonObject);
      if (index >= 0) item[0][index] = merged;
    } else {
      item[0][item[1] as string] = merged;
    }
  }
  return root[""] as JsonObject;
}

/** Merges one level; nested objects are pushed onto `work`. */
function mergeOne(target: Json, patch: JsonObject, work: MergeWork[]): JsonObject {
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return stripDirectives(rest) as JsonObject;
  }
  if (patch.$patch === "delete") return {};
  const result: JsonObject = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch") continue;
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        const drop = new Set(value.map((v) => JSON.stringify(v)));
        result[field] = current.filter((v) => !drop.has(JSON.stringify(v)));
      }
      continue;
    }
    if (DIRECTIVE_PREFIXES.some((p) => key.startsWith(p))) continue;
    if (value === null) {
      delete result[key];
    } else if (isJsonObject(value)) {
      if (value.$patch === "delete") delete result[key];
      else {
        const current = result[key];
        // Keeps the key's place; the merged object replaces it when its work is done.
        result[key] = {};
        work.push([result, key, isJsonObject(current) ? current : {}, value]);
      }
    } else if (Array.isArray(value)) {
      result[key] = strategicMergeList(key, result[key], value, work);
    } else {
      result[key] = value;
    }
  }
  return result;
}

function strategicMergeList(
  field: string,
  target: Json | undefined,
  patch: Json[],
  work: MergeWork[],
): Json {
  const current = Array.isArray(target) ? target : [];
  const replace = patch.find((v) => isJsonObject(v) && v.$patch === "replace");
  if (replace !== undefined) {
    return patch.filter((v) => v !== replace).map((v) => stripDirectives(v));
  }
  if (MERGED_PRIMITIVE_LISTS.has(field) && patch.every((v) => !isJsonObject(v))) {
    const result = cloneJson(current);
    const seen = new Set(result.map((v) => JSON.stringify(v)));
    for (const v of patch) {
      if (!seen.has(JSON.stringify(v))) {
        result.push(v);
        seen.add(JSON.stringify(v));
      }
    }
    return result;
  }
  const key = mergeKeyFor(field, [...patch, ...current]);
  if (key === undefined || !patch.every(isJsonObject)) return patch.map((v) => stripDirectives(v));
  const result: Json[] = current;
  for (const item of patch as JsonObject[]) {
    const id = item[key];
    const index = result.findIndex((v) => isJsonObject(v) && jsonEqual(v[key], id));
    if (item.$patch === "delete") {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    const existing = result[index];
    if (isJsonObject(existing)) work.push([result, existing, existing, item]);
    else result.push(stripDirectives(item));
  }
  return result;
}

function stripDirectives(value: Json): Json {
  return copyJsonWithout(
    value,
    (k, v) => v === null || k === "$patch" || DIRECTIVE_PREFIXES.some((p) => k.startsWith(p)),
  );
}

/**
 * Applies a strategic merge patch: objects merge recursively, `null`
 * deletes, lists with a known merge key (containers by name, env by name,
 * ports by containerPort/port, volumes, volumeMounts by mountPath,
 * conditions by type, ownerReferences by uid, …) merge item by item,
 * `finalizers` merge as a set, other lists are replaced. Supports the
 * `$patch: replace|delete` and `$deleteFromPrimitiveList` directives and
 * ignores `$setElementOrder` and `$retainKeys`.
 */
export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isJsonObject(patch)) throw new PatchError("strategic merge patch must be a JSON object");
  return strategicMergeObject(isJsonObject(target) ? target : undefined, patch);
}
