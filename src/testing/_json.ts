/**
 * JSON values as the patch formats see them, and the few operations on them
 * that every patch format shares.
 *
 * @module
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** A patch could not be applied (maps to 422 in the server). */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

/** Whether a value is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deep copy of a JSON value. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** Structural equality of JSON values (key order ignored); iterative, for any depth. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  const work: [Json | undefined, Json | undefined][] = [[a, b]];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const [x, y] = item;
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const ys = y as Json[];
      if (x.length !== ys.length) return false;
      for (let i = 0; i < x.length; i++) work.push([x[i], ys[i]]);
      continue;
    }
    const xo = x as JsonObject;
    const yo = y as JsonObject;
    const keys = Object.keys(xo);
    if (keys.length !== Object.keys(yo).length) return false;
    for (const k of keys) {
      if (!Object.hasOwn(yo, k)) return false;
      work.push([xo[k], yo[k]]);
    }
  }
  return true;
}

/**
 * A copy without the object fields whose value is `null`, at any depth: what decoding into
 * Go structs leaves of them (a `null` field is the field's zero value, which is omitted).
 */
export function stripNulls(value: unknown): unknown {
  return copyJsonWithout(value as Json, (_key, v) => v === null);
}

/**
 * A deep copy of a JSON value without the object fields `drop` picks, at any
 * depth. Iterative, so request bodies nested as deep as the server accepts
 * cannot overflow the stack.
 */
export function copyJsonWithout(value: Json, drop: (key: string, value: Json) => boolean): Json {
  const copy = (v: Json): Json => Array.isArray(v) ? [] : isJsonObject(v) ? {} : v;
  const root = copy(value);
  const work: [Json, Json][] = [[value, root]];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const [from, to] = item;
    if (Array.isArray(from)) {
      const out = to as Json[];
      for (const v of from) {
        const c = copy(v);
        out.push(c);
        if (c !== v) work.push([v, c]);
      }
    } else if (isJsonObject(from)) {
      const out = to as JsonObject;
      for (const [k, v] of Object.entries(from)) {
        if (drop(k, v)) continue;
        const c = copy(v);
        out[k] = c;
        if (c !== v) work.push([v, c]);
      }
    }
  }
  return root;
}
