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
