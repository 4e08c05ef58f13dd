/**
 * What is special about namespaces in the registry: the system namespaces
 * that always exist, `spec.finalizers` (which only `finalize` writes), the
 * name label, and the NamespaceLifecycle admission check on writes into a
 * namespace.
 *
 * @module
 */

import { namespaces as NAMESPACES } from "../api/resources.ts";
import type { ObjectStore, ResourceTable } from "./_object_store.ts";
import {
  failure,
  type FieldError,
  invalidField,
  notFound,
  qualifiedResource,
  StatusError,
} from "./_status.ts";

/** Table id of namespaces. */
export const NAMESPACES_ID = "/namespaces";

/**
 * Namespaces every cluster has. The fake does not store them (so that a new server is empty
 * and at resourceVersion 1) but treats them as existing when a write names them.
 */
const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set([
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
]);

/** Label that kube-apiserver keeps on every namespace, set to its name. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The finalizer a namespace is created with, removed by the namespace controller. */
export const KUBERNETES_FINALIZER = "kubernetes";

/** Finalizer names that are not allowed (`validateFinalizerName` in the core validation). */
const STANDARD_FINALIZERS: ReadonlySet<string> = new Set([
  KUBERNETES_FINALIZER,
  "orphan",
  "foregroundDeletion",
]);

/** `spec.finalizers` of a namespace, from the JSON of its fields between metadata and status. */
export function specFinalizers(specInner: string): string[] {
  if (specInner === "") return [];
  const spec = (JSON.parse(`{${specInner}}`) as { spec?: { finalizers?: unknown } }).spec;
  return Array.isArray(spec?.finalizers) ? spec.finalizers.map(String) : [];
}

/** Field errors of a namespace's `spec.finalizers` (a `finalize` write). */
export function finalizerNameErrors(finalizers: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  finalizers.forEach((finalizer, i) => {
    if (!finalizer.includes("/") && !STANDARD_FINALIZERS.has(finalizer)) {
      errors.push(
        invalidField(
          `spec.finalizers[${i}]`,
          finalizer,
          "name is neither a standard finalizer name nor is it fully qualified",
        ),
      );
    }
  });
  return errors;
}

/**
 * The NamespaceLifecycle admission check: 404 when the namespace does not exist (the system
 * namespaces always do), 403 while it is being deleted.
 */
export function checkNamespaceAcceptsWrites(
  store: ObjectStore,
  table: ResourceTable,
  namespace: string,
  name: string,
): void {
  const namespaces = [...store.tables()].find((t) => t.id === NAMESPACES_ID);
  const stored = namespaces?.items.get(namespace);
  if (stored === undefined) {
    if (SYSTEM_NAMESPACES.has(namespace)) return;
    throw new StatusError(notFound(namespaces?.descriptor ?? NAMESPACES, namespace));
  }
  if (stored.system.deletionTimestamp === undefined) return;
  const message = `namespace ${namespace} is being terminated`;
  throw new StatusError(
    failure(
      403,
      "Forbidden",
      `${
        qualifiedResource(table.descriptor)
      } "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        name,
        ...(table.descriptor.group === "" ? {} : { group: table.descriptor.group }),
        kind: table.descriptor.plural,
        causes: [{ reason: "NamespaceTerminating", message, field: "metadata.namespace" }],
      },
    ),
  );
}
