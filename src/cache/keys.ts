/**
 * Object keys and the namespace index: how the cache names objects and how
 * it finds the objects of one namespace.
 *
 * @module
 */

import type { KubeObject } from "../api/meta.ts";
import {
  type DeletedFinalStateUnknown,
  isDeletedFinalStateUnknown,
} from "./deleted_final_state_unknown.ts";

/**
 * Computes the values an object has in one index. An object may have any
 * number of values (none, one, or several); duplicates are ignored.
 *
 * @typeParam T The object type.
 *
 * @example Indexing pods by IP
 * ```ts
 * import type { IndexFunc } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 * const byIP: IndexFunc<Pod> = (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip);
 * console.log(byIP({ status: { podIPs: [{ ip: "10.0.0.5" }] } })); // ["10.0.0.5"]
 * ```
 */
export type IndexFunc<T> = (obj: T) => readonly string[];

/**
 * Named index functions, keyed by index name.
 *
 * @typeParam T The object type.
 *
 * @example Two indexes
 * ```ts
 * import type { Indexers } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 * const indexers: Indexers<Pod> = {
 *   byNode: (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []),
 *   byIP: (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip),
 * };
 * console.log(Object.keys(indexers)); // ["byNode", "byIP"]
 * ```
 */
export type Indexers<T> = Record<string, IndexFunc<T>>;

/**
 * Name of the index that groups objects by namespace; indexers install it by
 * default and listers use it.
 *
 * @example Looking up the pods of one namespace
 * ```ts
 * import { createIndexer, NAMESPACE_INDEX } from "@kubesnap/kubesnap";
 * const indexer = createIndexer();
 * indexer.add({ metadata: { namespace: "default", name: "a" } });
 * console.log(indexer.byIndex(NAMESPACE_INDEX, "default").length); // 1
 * ```
 */
export const NAMESPACE_INDEX: string = "namespace";

/**
 * The store key of an object: `namespace/name`, or `name` for cluster-scoped
 * objects (no or empty namespace). A {@linkcode DeletedFinalStateUnknown}
 * tombstone gives the key it carries.
 *
 * @param obj An object with `metadata.name`, or a tombstone.
 * @returns The key.
 * @throws {TypeError} When the object has no `metadata.name`.
 *
 * @example Keys of namespaced and cluster-scoped objects
 * ```ts
 * import { metaNamespaceKey } from "@kubesnap/kubesnap";
 * console.log(metaNamespaceKey({ metadata: { namespace: "default", name: "web-0" } })); // "default/web-0"
 * console.log(metaNamespaceKey({ metadata: { name: "node-1" } })); // "node-1"
 * ```
 */
export function metaNamespaceKey(obj: KubeObject | DeletedFinalStateUnknown<unknown>): string {
  if (isDeletedFinalStateUnknown(obj)) return obj.key;
  const metadata = (obj as KubeObject | null | undefined)?.metadata;
  const name = metadata?.name;
  if (typeof name !== "string" || name === "") {
    throw new TypeError("metaNamespaceKey: object has no metadata.name");
  }
  const namespace = metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * Splits a store key into namespace and name. A key without `/` is a
 * cluster-scoped name (namespace `""`).
 *
 * @param key A key such as `default/web-0` or `node-1`.
 * @returns The namespace (`""` when cluster-scoped) and the name.
 * @throws {TypeError} When the key has more than one `/` ("unexpected key format").
 *
 * @example Splitting keys
 * ```ts
 * import { splitMetaNamespaceKey } from "@kubesnap/kubesnap";
 * console.log(splitMetaNamespaceKey("default/web-0")); // { namespace: "default", name: "web-0" }
 * console.log(splitMetaNamespaceKey("node-1")); // { namespace: "", name: "node-1" }
 * ```
 */
export function splitMetaNamespaceKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  if (slash === -1) return { namespace: "", name: key };
  if (key.indexOf("/", slash + 1) !== -1) {
    throw new TypeError(`unexpected key format: ${JSON.stringify(key)}`);
  }
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * The index function of {@linkcode NAMESPACE_INDEX}: an object's namespace,
 * or `""` for cluster-scoped objects.
 *
 * @param obj Any object.
 * @returns A one-element array holding the namespace.
 *
 * @example The namespace index value
 * ```ts
 * import { metaNamespaceIndexFunc } from "@kubesnap/kubesnap";
 * console.log(metaNamespaceIndexFunc({ metadata: { namespace: "kube-system", name: "dns" } })); // ["kube-system"]
 * console.log(metaNamespaceIndexFunc({ metadata: { name: "node-1" } })); // [""]
 * ```
 */
export function metaNamespaceIndexFunc(obj: KubeObject): string[] {
  return [obj.metadata?.namespace ?? ""];
}
