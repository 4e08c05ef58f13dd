/**
 * Structural sharing between two versions of an object: the parts of a new
 * version equal to the cached one become the cached one's parts.
 *
 * Users get `oldPod.spec === newPod.spec` when a spec did not change, and
 * the cache keeps one copy of what did not change: the freshly parsed copies
 * of unchanged parts are dropped right away, while they are young and cheap
 * for the garbage collector, instead of the whole previous version dying
 * later in the old generation.
 *
 * @module
 */

/** Below this depth, subtrees are kept as they came (no recursion can overflow the stack). */
const MAX_DEPTH = 64;

/**
 * Replaces, inside `next`, every subtree deep-equal to the same path in
 * `previous` by `previous`'s subtree, and returns `next` (or `previous`
 * itself when the two are deep-equal). `next` is changed in place, except
 * for frozen containers, which are left as they are; `previous` is never
 * changed. Arrays are compared index by index; key order does not matter.
 *
 * @param previous The cached version.
 * @param next The new version (freshly parsed or transformed, not yet frozen).
 * @returns `next` with shared subtrees, or `previous` when nothing differs.
 *
 * @example
 * ```ts
 * import { shareUnchanged } from "./structural_sharing.ts";
 * const before = { metadata: { name: "a", resourceVersion: "1" }, spec: { nodeName: "n1" } };
 * const after = { metadata: { name: "a", resourceVersion: "2" }, spec: { nodeName: "n1" } };
 * const shared = shareUnchanged(before, after);
 * console.log(shared === after, shared.spec === before.spec); // true true
 * ```
 */
export function shareUnchanged<T>(previous: T, next: T): T {
  return share(previous, next, 0) as T;
}

function share(previous: unknown, next: unknown, depth: number): unknown {
  if (previous === next) return previous;
  if (typeof next !== "object" || next === null) return next;
  if (typeof previous !== "object" || previous === null || depth >= MAX_DEPTH) return next;
  if (Array.isArray(next)) {
    if (!Array.isArray(previous)) return next;
    return shareArray(previous, next, depth);
  }
  if (Array.isArray(previous)) return next;
  return shareRecord(previous as Record<string, unknown>, next as Record<string, unknown>, depth);
}

function shareArray(previous: unknown[], next: unknown[], depth: number): unknown {
  const writable = !Object.isFrozen(next);
  let same = previous.length === next.length;
  const length = Math.min(previous.length, next.length);
  for (let i = 0; i < length; i++) {
    const before = previous[i];
    const shared = share(before, next[i], depth + 1);
    if (shared !== before) same = false;
    else if (writable) next[i] = shared;
  }
  return same ? previous : next;
}

function shareRecord(
  previous: Record<string, unknown>,
  next: Record<string, unknown>,
  depth: number,
): unknown {
  const writable = !Object.isFrozen(next);
  let same = true;
  let keys = 0;
  // Parsed JSON has only own, enumerable, non-inherited keys; a key `previous` only inherits
  // (such as "constructor") holds no object from `next` and so never counts as equal.
  for (const key in next) {
    keys++;
    const before = previous[key];
    const after = next[key];
    if (before === after) continue;
    const shared = share(before, after, depth + 1);
    if (shared !== before) same = false;
    else if (writable) next[key] = shared;
  }
  if (!same) return next;
  // Every key of `next` matched: equal only if `previous` has no other keys.
  let previousKeys = 0;
  for (const _ in previous) previousKeys++;
  return previousKeys === keys ? previous : next;
}
