/**
 * How built-in resources differ from one another in the registry's
 * semantics, as lookups: which track `metadata.generation`, which start with
 * which status, which answer a delete with the object, which hold config keys.
 * Custom resources follow the rules of the `customresource` strategy.
 *
 * @module
 */

import type { ResourceTable } from "./_object_store.ts";

/**
 * Built-in resources whose objects track `metadata.generation`: a kube-apiserver 1.37 sets it to 1
 * on create and bumps it when anything but metadata and status changes (measured by creating and
 * patching one object of each kind; the others leave it unset). PriorityClasses get 1 on create
 * but never a bump, which the fake does not model: it leaves theirs unset.
 */
const GENERATION_TRACKED: ReadonlySet<string> = new Set([
  "/pods",
  "/podtemplates",
  "/replicationcontrollers",
  "apps/replicasets",
  "apps/deployments",
  "apps/statefulsets",
  "apps/daemonsets",
  "batch/jobs",
  "batch/cronjobs",
  "autoscaling/horizontalpodautoscalers",
  "policy/poddisruptionbudgets",
  "networking.k8s.io/ingresses",
  "networking.k8s.io/ingressclasses",
  "networking.k8s.io/networkpolicies",
  "discovery.k8s.io/endpointslices",
  "apiextensions.k8s.io/customresourcedefinitions",
  "admissionregistration.k8s.io/mutatingwebhookconfigurations",
  "admissionregistration.k8s.io/validatingwebhookconfigurations",
  "admissionregistration.k8s.io/validatingadmissionpolicies",
  "admissionregistration.k8s.io/validatingadmissionpolicybindings",
  "flowcontrol.apiserver.k8s.io/flowschemas",
  "flowcontrol.apiserver.k8s.io/prioritylevelconfigurations",
  "resource.k8s.io/deviceclasses",
  "resource.k8s.io/devicetaintrules",
]);

/**
 * Built-in resources whose delete answers with the object rather than a Status: those whose
 * registry store sets `ReturnDeletedObject` in Kubernetes v1.37.2 (`pkg/registry`), which the
 * differential suite checks for a sample.
 */
const RETURNS_DELETED_OBJECT: ReadonlySet<string> = new Set([
  "/pods",
  "/services",
  "/namespaces",
  "/serviceaccounts",
  "/persistentvolumes",
  "/persistentvolumeclaims",
  "/podtemplates",
  "/resourcequotas",
  "storage.k8s.io/storageclasses",
  "storage.k8s.io/csidrivers",
  "storage.k8s.io/csinodes",
  "storage.k8s.io/volumeattachments",
  "storage.k8s.io/volumeattributesclasses",
  "resource.k8s.io/resourceclaims",
  "resource.k8s.io/resourceclaimtemplates",
  "resource.k8s.io/resourceslices",
  "resource.k8s.io/deviceclasses",
]);

/** Built-in resources whose `data` keys must be config keys, and the fields holding them. */
const DATA_KEY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "/configmaps": ["data", "binaryData"],
  "/secrets": ["data", "stringData"],
};

/** Status a created object starts with, by built-in resource (others with a status: `{}`). */
const INITIAL_STATUS: Readonly<Record<string, string>> = {
  "/pods": '{"phase":"Pending"}',
  "/namespaces": '{"phase":"Active"}',
  "/persistentvolumeclaims": '{"phase":"Pending"}',
};

/** Whether objects of the resource track `metadata.generation` (custom resources all do). */
export function tracksGeneration(table: ResourceTable): boolean {
  return !table.builtin || GENERATION_TRACKED.has(table.id);
}

/** Whether the resource has a `status` subresource (writes of the main resource keep status). */
export function hasStatus(table: ResourceTable): boolean {
  return table.descriptor.subresources.includes("status");
}

/**
 * The status JSON a created object of a resource with a status starts with: the strategy's
 * `PrepareForCreate` resets it (a custom resource's is dropped).
 */
export function initialStatusJson(table: ResourceTable): string | undefined {
  if (!table.builtin) return undefined;
  return INITIAL_STATUS[table.id] ?? "{}";
}

/** The fields whose keys must be config keys (config maps, secrets), if any. */
export function dataKeyFields(table: ResourceTable): readonly string[] | undefined {
  return table.builtin ? DATA_KEY_FIELDS[table.id] : undefined;
}

/** Whether deletes of this resource answer with the object. */
export function returnsDeletedObject(table: ResourceTable): boolean {
  return RETURNS_DELETED_OBJECT.has(table.id);
}

/** The store key of an object. */
export function objectKey(table: ResourceTable, namespace: string, name: string): string {
  return table.descriptor.namespaced ? `${namespace}/${name}` : name;
}
