/**
 * Object metadata as the server writes it: field order, empty collections
 * omitted, timestamps with second precision.
 *
 * @module
 */

import type { ObjectMeta } from "../api/meta.ts";
import { isJsonObject } from "./_json.ts";

/** `ObjectMeta` fields in the order Kubernetes serializes them. */
const META_ORDER: readonly string[] = [
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
];

/** Fields that are `omitempty`: left out when empty. */
const OMIT_EMPTY: ReadonlySet<string> = new Set([
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

/** Formats epoch milliseconds as RFC 3339 with second precision, as Kubernetes does. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Metadata in the order Kubernetes writes it, empty collections omitted. */
export function orderMeta(meta: ObjectMeta): ObjectMeta {
  const ordered: Record<string, unknown> = {};
  const source = meta as Record<string, unknown>;
  for (const key of META_ORDER) {
    const value = source[key];
    if (value === undefined || value === null) continue;
    if (OMIT_EMPTY.has(key)) {
      if (Array.isArray(value) && value.length === 0) continue;
      if (isJsonObject(value) && Object.keys(value).length === 0) continue;
    }
    ordered[key] = value;
  }
  for (const key in source) {
    const value = source[key];
    if (!META_ORDER.includes(key) && value !== undefined && value !== null) ordered[key] = value;
  }
  return ordered as ObjectMeta;
}

/** Sets a metadata field, or removes it when the value is undefined. */
export function setOrDelete<K extends keyof ObjectMeta>(
  target: ObjectMeta,
  key: K,
  value: ObjectMeta[K] | undefined,
): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}
