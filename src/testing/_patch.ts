/**
 * Patch formats the fake apiserver understands: JSON patch (RFC 6902), JSON
 * merge patch (RFC 7386), strategic merge patch for the common
 * list-of-maps-with-merge-key fields, and the field sets recorded in
 * `managedFields` by server-side apply.
 *
 * Every function returns a new value and leaves its inputs untouched.
 *
 * @module
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A patch could not be applied (maps to 422 in the server). */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as Json[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}

// ---------------------------------------------------------------------------
// RFC 6902 JSON patch.

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new PatchError(`invalid JSON pointer: ${JSON.stringify(pointer)}`);
  }
  return pointer.slice(1).split("/").map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function arrayIndex(token: string, length: number, forAdd: boolean): number {
  if (forAdd && token === "-") return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) {
    throw new PatchError(`invalid array index: ${JSON.stringify(token)}`);
  }
  const index = Number(token);
  if (index > length || (!forAdd && index === length)) {
    throw new PatchError(`array index out of bounds: ${index}`);
  }
  return index;
}

function resolveParent(doc: Json, tokens: string[], path: string): Json {
  let node: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false)]!;
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token]!;
    else throw new PatchError(`doc is missing path: ${JSON.stringify(path)}`);
  }
  return node;
}

function getAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const parent = resolveParent(doc, tokens, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false)]!;
  if (isObject(parent) && Object.hasOwn(parent, last)) return parent[last]!;
  throw new PatchError(`doc is missing path: ${JSON.stringify(path)}`);
}

function addAt(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = resolveParent(doc, tokens, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw new PatchError(`doc is missing path: ${JSON.stringify(path)}`);
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new PatchError("cannot remove the whole document");
  const parent = resolveParent(doc, tokens, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw new PatchError(`doc is missing path: ${JSON.stringify(path)}`);
  return doc;
}

/**
 * Applies an RFC 6902 JSON patch.
 *
 * @throws {PatchError} on a malformed operation, a missing path or a failed `test`.
 */
export function applyJsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw new PatchError("json patch must be an array of operations");
  let doc = clone(target);
  for (const op of patch) {
    if (!isObject(op) || typeof op.op !== "string" || typeof op.path !== "string") {
      throw new PatchError("invalid json patch operation: needs string op and path");
    }
    const path = op.path;
    switch (op.op) {
      case "add":
        if (!Object.hasOwn(op, "value")) {
          throw new PatchError("add operation does not have a value");
        }
        doc = addAt(doc, path, clone(op.value!));
        break;
      case "remove":
        doc = removeAt(doc, path);
        break;
      case "replace":
        if (!Object.hasOwn(op, "value")) {
          throw new PatchError("replace operation does not have a value");
        }
        getAt(doc, path);
        if (parsePointer(path).length === 0) doc = clone(op.value!);
        else doc = addAt(removeAt(doc, path), path, clone(op.value!));
        break;
      case "move":
      case "copy": {
        if (typeof op.from !== "string") {
          throw new PatchError(`${op.op} operation does not have a from`);
        }
        const value = clone(getAt(doc, op.from));
        if (op.op === "move") {
          if (path.startsWith(`${op.from}/`)) {
            throw new PatchError("cannot move a value into itself");
          }
          doc = removeAt(doc, op.from);
        }
        doc = addAt(doc, path, value);
        break;
      }
      case "test":
        if (!deepEqual(getAt(doc, path), op.value)) {
          throw new PatchError(`testing value ${path} failed: test failed`);
        }
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

// ---------------------------------------------------------------------------
// RFC 7386 JSON merge patch.

/** Applies an RFC 7386 JSON merge patch. */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

// ---------------------------------------------------------------------------
// Strategic merge patch.

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
const MERGED_PRIMITIVE_LISTS: ReadonlySet<string> = new Set(["finalizers"]);

function mergeKeyFor(field: string, items: readonly Json[]): string | undefined {
  if (field === "ports") {
    const first = items.find(isObject);
    if (first === undefined) return undefined;
    return Object.hasOwn(first, "containerPort") ? "containerPort" : "port";
  }
  return MERGE_KEYS[field];
}

const DIRECTIVE_PREFIXES = ["$setElementOrder/", "$deleteFromPrimitiveList/", "$retainKeys"];

function strategicMergeObject(target: JsonObject | undefined, patch: JsonObject): JsonObject {
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return stripDirectives(rest) as JsonObject;
  }
  if (patch.$patch === "delete") return {};
  const result: JsonObject = isObject(target) ? clone(target) : {};
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
    } else if (isObject(value)) {
      if (value.$patch === "delete") delete result[key];
      else {result[key] = strategicMergeObject(
          isObject(result[key]) ? result[key] : undefined,
          value,
        );}
    } else if (Array.isArray(value)) {
      result[key] = strategicMergeList(key, result[key], value);
    } else {
      result[key] = value;
    }
  }
  return result;
}

function strategicMergeList(field: string, target: Json | undefined, patch: Json[]): Json {
  const current = Array.isArray(target) ? target : [];
  const replace = patch.find((v) => isObject(v) && v.$patch === "replace");
  if (replace !== undefined) {
    return patch.filter((v) => v !== replace).map((v) => stripDirectives(v));
  }
  if (MERGED_PRIMITIVE_LISTS.has(field) && patch.every((v) => !isObject(v))) {
    const result = clone(current);
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
  if (key === undefined || !patch.every(isObject)) return patch.map((v) => stripDirectives(v));
  const result: Json[] = clone(current);
  for (const item of patch as JsonObject[]) {
    const id = item[key];
    const index = result.findIndex((v) => isObject(v) && deepEqual(v[key], id));
    if (item.$patch === "delete") {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = strategicMergeObject(result[index] as JsonObject, item);
    else result.push(stripDirectives(item));
  }
  return result;
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const result: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$patch" || DIRECTIVE_PREFIXES.some((p) => k.startsWith(p))) continue;
    if (v === null) continue;
    result[k] = stripDirectives(v);
  }
  return result;
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
  if (!isObject(patch)) throw new PatchError("strategic merge patch must be a JSON object");
  return strategicMergeObject(isObject(target) ? target : undefined, patch);
}

// ---------------------------------------------------------------------------
// Field sets (managedFields fieldsV1).

/**
 * The `fieldsV1` set of an applied configuration: `f:<field>` for object
 * fields, `k:{"<mergeKey>":…}` for items of keyed lists, `v:<value>` for
 * merged primitive lists; `.` marks an item itself. `metadata.name`,
 * `namespace`, `kind` and `apiVersion` are not recorded.
 */
export function fieldSet(config: Json): JsonObject {
  const result = fieldSetOfObject(isObject(config) ? config : {}, "");
  const metadata = result["f:metadata"];
  if (isObject(metadata)) {
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
  if (isObject(value)) return fieldSetOfObject(value, field);
  if (Array.isArray(value)) {
    if (MERGED_PRIMITIVE_LISTS.has(field)) {
      const set: JsonObject = {};
      for (const v of value) set[`v:${JSON.stringify(v)}`] = {};
      return set;
    }
    const key = mergeKeyFor(field, value);
    if (key !== undefined && value.every(isObject)) {
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
