/**
 * Freezes a JSON-like value and everything inside it, so that cached objects
 * cannot be changed by accident. Walks with an explicit stack, so that any
 * depth of nesting is fine.
 *
 * @param value The value.
 * @returns The same value, frozen.
 */
export function deepFreeze<V>(value: V): V {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null || Object.isFrozen(next)) continue;
    Object.freeze(next);
    if (Array.isArray(next)) {
      for (let i = 0; i < next.length; i++) pending.push(next[i]);
    } else {
      for (const key in next) pending.push((next as Record<string, unknown>)[key]);
    }
  }
  return value;
}

/**
 * Freezes an object, its `metadata` (with labels and annotations), `spec`
 * and `status`: the parts code most often changes by accident, at a cost of
 * a handful of `Object.freeze` calls instead of a walk over the whole tree.
 *
 * @param value A Kubernetes object.
 * @returns The same value.
 */
export function shallowFreeze<V>(value: V): V {
  if (typeof value !== "object" || value === null) return value;
  Object.freeze(value);
  const { metadata, spec, status } = value as {
    metadata?: { labels?: object; annotations?: object };
    spec?: unknown;
    status?: unknown;
  };
  if (typeof metadata === "object" && metadata !== null) {
    Object.freeze(metadata);
    if (metadata.labels) Object.freeze(metadata.labels);
    if (metadata.annotations) Object.freeze(metadata.annotations);
  }
  if (typeof spec === "object" && spec !== null) Object.freeze(spec);
  if (typeof status === "object" && status !== null) Object.freeze(status);
  return value;
}
