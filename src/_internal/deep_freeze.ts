/**
 * Freezes a JSON-like value and everything inside it, so that cached objects
 * cannot be changed by accident.
 *
 * @param value The value.
 * @returns The same value, frozen.
 */
export function deepFreeze<V>(value: V): V {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
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
