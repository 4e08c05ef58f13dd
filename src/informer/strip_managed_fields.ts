/**
 * A ready transform that drops `metadata.managedFields`, which often makes
 * up a third of an object's size and is rarely read by informers.
 *
 * @module
 */

import type { KubeObject } from "../api/meta.ts";

/**
 * Removes `metadata.managedFields` (replacing `metadata` with a copy
 * without it) and returns the same object.
 * Idempotent, so it is safe as an informer transform.
 *
 * @typeParam T The object type.
 * @param object The object.
 * @returns The same object without managedFields.
 *
 * @example As an informer transform
 * ```ts
 * import { stripManagedFields } from "@kubesnap/kubesnap";
 * const pod = stripManagedFields({ metadata: { name: "a", managedFields: [{ manager: "kubectl" }] } });
 * console.log(pod.metadata?.managedFields); // undefined
 * ```
 */
export function stripManagedFields<T extends KubeObject>(object: T): T {
  const metadata = object.metadata;
  if (metadata?.managedFields === undefined || Object.isFrozen(object)) return object;
  // A fresh metadata object rather than `delete`: deleting a property turns
  // an object into a slow dictionary, about 740 bytes more per pod.
  const { managedFields: _dropped, ...rest } = metadata;
  object.metadata = rest;
  return object;
}
