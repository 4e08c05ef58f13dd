/**
 * Update predicates: plain functions of the old and the new object that
 * decide whether an update is worth reconciling (controller-runtime's
 * `GenerationChangedPredicate`, `LabelChangedPredicate`,
 * `AnnotationChangedPredicate`, `ResourceVersionChangedPredicate`).
 * A resync delivers the same object twice, so each of these drops it.
 *
 * @module
 */

import type { KubeObject } from "../api/meta.ts";

/** Decides whether an update (old → new) should be reconciled. */
export type UpdatePredicate<T extends KubeObject = KubeObject> = (
  oldObject: T,
  newObject: T,
) => boolean;

/**
 * True when `metadata.generation` changed: the spec changed, not only the
 * status or the metadata.
 *
 * @param oldObject The object before.
 * @param newObject The object after.
 * @returns Whether the generation changed.
 *
 * @example Ignoring status updates
 * ```ts
 * import { generationChanged } from "@kubesnap/kubesnap";
 * import type { Deployment } from "@kubesnap/kubesnap";
 * const before: Deployment = { metadata: { name: "web", generation: 1 }, status: { replicas: 1 } };
 * const after: Deployment = { ...before, status: { replicas: 2 } };
 * console.log(generationChanged(before, after)); // false
 * console.log(generationChanged(before, { metadata: { name: "web", generation: 2 } })); // true
 * ```
 */
export function generationChanged(oldObject: KubeObject, newObject: KubeObject): boolean {
  return oldObject.metadata?.generation !== newObject.metadata?.generation;
}

/**
 * True when `metadata.resourceVersion` changed (anything changed; drops resyncs).
 *
 * @param oldObject The object before.
 * @param newObject The object after.
 * @returns Whether the resourceVersion changed.
 *
 * @example Dropping resyncs
 * ```ts
 * import { resourceVersionChanged } from "@kubesnap/kubesnap";
 * const pod = { metadata: { name: "web-0", resourceVersion: "7" } };
 * console.log(resourceVersionChanged(pod, pod)); // false
 * ```
 */
export function resourceVersionChanged(oldObject: KubeObject, newObject: KubeObject): boolean {
  return oldObject.metadata?.resourceVersion !== newObject.metadata?.resourceVersion;
}

/**
 * True when the labels changed.
 *
 * @param oldObject The object before.
 * @param newObject The object after.
 * @returns Whether any label was added, removed or changed.
 *
 * @example Reacting to relabelling
 * ```ts
 * import { labelsChanged } from "@kubesnap/kubesnap";
 * const a = { metadata: { name: "web", labels: { app: "web" } } };
 * console.log(labelsChanged(a, { metadata: { name: "web", labels: { app: "api" } } })); // true
 * ```
 */
export function labelsChanged(oldObject: KubeObject, newObject: KubeObject): boolean {
  return !sameStringMap(oldObject.metadata?.labels, newObject.metadata?.labels);
}

/**
 * True when the annotations changed.
 *
 * @param oldObject The object before.
 * @param newObject The object after.
 * @returns Whether any annotation was added, removed or changed.
 *
 * @example Reacting to a new annotation
 * ```ts
 * import { annotationsChanged } from "@kubesnap/kubesnap";
 * const a = { metadata: { name: "web" } };
 * console.log(annotationsChanged(a, { metadata: { name: "web", annotations: { x: "1" } } })); // true
 * ```
 */
export function annotationsChanged(oldObject: KubeObject, newObject: KubeObject): boolean {
  return !sameStringMap(oldObject.metadata?.annotations, newObject.metadata?.annotations);
}

function sameStringMap(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  const aKeys = Object.keys(a ?? {});
  if (aKeys.length !== Object.keys(b ?? {}).length) return false;
  return aKeys.every((key) => Object.hasOwn(b ?? {}, key) && a?.[key] === b?.[key]);
}
