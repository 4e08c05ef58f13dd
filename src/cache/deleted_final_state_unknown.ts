/**
 * The tombstone an informer hands to `onDelete` when an object vanished
 * without a DELETED event being seen (it disappeared between two lists).
 *
 * @module
 */

const BRAND: unique symbol = Symbol.for("kubesnap.DeletedFinalStateUnknown");

/**
 * A tombstone for an object that was deleted while the watch was not
 * looking: a relist no longer contained it, so its final state is unknown.
 * {@linkcode DeletedFinalStateUnknown.obj} is the last state the cache knew,
 * which may be stale, or `undefined` when nothing was known.
 *
 * Delete handlers receive either the object itself or one of these; use
 * {@linkcode isDeletedFinalStateUnknown} to tell them apart.
 *
 * @typeParam T The object type.
 *
 * @example Unwrapping a tombstone in a delete handler
 * ```ts
 * import { DeletedFinalStateUnknown, isDeletedFinalStateUnknown } from "@kubesnap/kubesnap";
 * import type { KubeObject } from "@kubesnap/kubesnap";
 *
 * function onDelete(obj: KubeObject | DeletedFinalStateUnknown<KubeObject>): void {
 *   const last = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
 *   console.log(last?.metadata?.name);
 * }
 * onDelete(new DeletedFinalStateUnknown("default/web-0", { metadata: { name: "web-0" } }));
 * ```
 */
export class DeletedFinalStateUnknown<T> {
  /** The store key of the vanished object, such as `default/web-0`. */
  readonly key: string;
  /** The last known state of the object; may be stale or `undefined`. */
  readonly obj: T | undefined;

  /**
   * Creates a tombstone.
   *
   * @param key The store key of the vanished object.
   * @param obj Its last known state, if any.
   */
  constructor(key: string, obj: T | undefined) {
    if (typeof key !== "string") {
      throw new TypeError(`DeletedFinalStateUnknown: key must be a string, got ${typeof key}`);
    }
    this.key = key;
    this.obj = obj;
    Object.freeze(this);
  }
}

Object.defineProperty(DeletedFinalStateUnknown.prototype, BRAND, { value: true });

/**
 * True when a value is a {@linkcode DeletedFinalStateUnknown} tombstone. The
 * check also recognises tombstones built by another copy of this module.
 *
 * @param value Anything a delete handler received.
 * @returns Whether it is a tombstone.
 *
 * @example Telling a tombstone from an object
 * ```ts
 * import { DeletedFinalStateUnknown, isDeletedFinalStateUnknown } from "@kubesnap/kubesnap";
 * console.log(isDeletedFinalStateUnknown(new DeletedFinalStateUnknown("ns/a", undefined))); // true
 * console.log(isDeletedFinalStateUnknown({ metadata: { name: "a" } })); // false
 * ```
 */
export function isDeletedFinalStateUnknown(
  value: unknown,
): value is DeletedFinalStateUnknown<unknown> {
  return value instanceof DeletedFinalStateUnknown ||
    (typeof value === "object" && value !== null &&
      (value as { [BRAND]?: unknown })[BRAND] === true);
}
