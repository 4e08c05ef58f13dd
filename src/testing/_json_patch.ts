/**
 * RFC 6902 JSON patch (`application/json-patch+json`), as the fake
 * apiserver applies it: a new document is returned, the input is untouched.
 *
 * @module
 */

import { cloneJson, isJsonObject, type Json, jsonEqual, PatchError } from "./_json.ts";

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
    else if (isJsonObject(node) && Object.hasOwn(node, token)) node = node[token]!;
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
  if (isJsonObject(parent) && Object.hasOwn(parent, last)) return parent[last]!;
  throw new PatchError(`doc is missing path: ${JSON.stringify(path)}`);
}

function addAt(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = resolveParent(doc, tokens, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else if (isJsonObject(parent)) parent[last] = value;
  else throw new PatchError(`doc is missing path: ${JSON.stringify(path)}`);
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new PatchError("cannot remove the whole document");
  const parent = resolveParent(doc, tokens, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (isJsonObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
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
  let doc = cloneJson(target);
  for (const op of patch) {
    if (!isJsonObject(op) || typeof op.op !== "string" || typeof op.path !== "string") {
      throw new PatchError("invalid json patch operation: needs string op and path");
    }
    const path = op.path;
    switch (op.op) {
      case "add":
        if (!Object.hasOwn(op, "value")) {
          throw new PatchError("add operation does not have a value");
        }
        doc = addAt(doc, path, cloneJson(op.value!));
        break;
      case "remove":
        doc = removeAt(doc, path);
        break;
      case "replace":
        if (!Object.hasOwn(op, "value")) {
          throw new PatchError("replace operation does not have a value");
        }
        getAt(doc, path);
        if (parsePointer(path).length === 0) doc = cloneJson(op.value!);
        else doc = addAt(removeAt(doc, path), path, cloneJson(op.value!));
        break;
      case "move":
      case "copy": {
        if (typeof op.from !== "string") {
          throw new PatchError(`${op.op} operation does not have a from`);
        }
        const value = cloneJson(getAt(doc, op.from));
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
        if (!jsonEqual(getAt(doc, path), op.value)) {
          throw new PatchError(`testing value ${path} failed: test failed`);
        }
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}
