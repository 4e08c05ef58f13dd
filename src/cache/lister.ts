/**
 * Listers: read-only, label-selector-aware views over an {@linkcode Indexer},
 * answering `get` and `list` from the cache the way the API server would.
 *
 * @module
 */

import { ApiError } from "../api/errors.ts";
import { compileLabelSelector } from "../api/label_selector.ts";
import type { KubeObject, LabelSelector, StatusDetails } from "../api/meta.ts";
import type { ReadonlyIndexer } from "./indexer.ts";
import { NAMESPACE_INDEX } from "./keys.ts";

/**
 * Read access to the cached objects of one namespace.
 *
 * @typeParam T The object type.
 *
 * @example Reading one namespace
 * ```ts
 * import { createIndexer, createLister, type NamespaceLister } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 * const indexer = createIndexer<Pod>();
 * indexer.add({ metadata: { namespace: "default", name: "web-0", labels: { app: "web" } } });
 * indexer.add({ metadata: { namespace: "prod", name: "web-1", labels: { app: "web" } } });
 * const inDefault: NamespaceLister<Pod> = createLister(indexer, { group: "", plural: "pods", singular: "pod" })
 *   .namespace("default");
 * console.log(inDefault.list("app=web").length); // 1
 * ```
 */
export interface NamespaceLister<T> {
  /**
   * Objects of this namespace whose labels match `selector` (all when it is
   * omitted or empty). A string is a label selector query such as
   * `app=web,tier!=db`; a record means `matchLabels`.
   */
  list(selector?: string | LabelSelector | Readonly<Record<string, string>>): T[];
  /**
   * The object with this name in this namespace.
   *
   * @throws {ApiError} A 404 `NotFound` error when it is not cached.
   */
  get(name: string): T;
}

/**
 * Read access to all cached objects of one resource.
 *
 * @typeParam T The object type.
 *
 * @example Listing and getting from the cache
 * ```ts
 * import { createIndexer, createLister } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 * const indexer = createIndexer<Pod>();
 * indexer.add({ metadata: { namespace: "default", name: "web-0", labels: { app: "web" } } });
 * const lister = createLister(indexer, { group: "", plural: "pods", singular: "pod" });
 * console.log(lister.list({ app: "web" }).length); // 1
 * console.log(lister.namespace("default").get("web-0").metadata?.name); // "web-0"
 * ```
 */
export interface Lister<T> {
  /**
   * Objects in every namespace whose labels match `selector` (all when it is
   * omitted or empty).
   */
  list(selector?: string | LabelSelector | Readonly<Record<string, string>>): T[];
  /**
   * The object stored under the key `name`: the name of a cluster-scoped
   * object, or a `namespace/name` key.
   *
   * @throws {ApiError} A 404 `NotFound` error when it is not cached.
   */
  get(name: string): T;
  /**
   * A view of one namespace; `""` means every namespace.
   */
  namespace(namespace: string): NamespaceLister<T>;
}

/** The resource names a lister puts into its NotFound errors. */
export interface ListerResource {
  /** API group; `""` for the core group. */
  readonly group: string;
  /** Plural resource name, such as `pods`; goes into `details.kind`. */
  readonly plural: string;
  /** Singular name, such as `pod`; goes into the message. */
  readonly singular: string;
}

function notFound(resource: ListerResource, name: string): ApiError {
  const qualified = resource.group === ""
    ? resource.singular
    : `${resource.singular}.${resource.group}`;
  const details: StatusDetails = { name, kind: resource.plural };
  if (resource.group !== "") details.group = resource.group;
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    message: `${qualified} ${JSON.stringify(name)} not found`,
    reason: "NotFound",
    details,
    code: 404,
  });
}

function filterByLabels<T extends KubeObject>(
  objects: T[],
  selector: string | LabelSelector | Readonly<Record<string, string>> | undefined,
): T[] {
  const matcher = compileLabelSelector(selector);
  if (matcher.empty) return objects;
  return objects.filter((obj) => matcher.matches(obj.metadata?.labels));
}

/**
 * Creates a {@linkcode Lister} over an indexer whose keys are
 * `metaNamespaceKey` keys. Namespaced lists use the
 * {@linkcode NAMESPACE_INDEX} index when the indexer has it, else scan.
 * Missing objects raise the same 404 `NotFound` {@linkcode ApiError} a
 * generated Kubernetes lister does: message `pod "x" not found` (the
 * singular name, suffixed `.group` for non-core groups), `details.kind` the
 * plural resource, `details.group` the group when not core.
 *
 * @typeParam T The object type.
 * @param indexer The cache to read.
 * @param resource The resource's group, plural and singular names (a
 * resource descriptor fits).
 * @returns The lister.
 *
 * @example A pod lister answering 404 for a missing pod
 * ```ts
 * import { ApiError, createIndexer, createLister } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 *
 * const lister = createLister(createIndexer<Pod>(), { group: "", plural: "pods", singular: "pod" });
 * try {
 *   lister.namespace("default").get("missing");
 * } catch (err) {
 *   console.log(err instanceof ApiError && err.code); // 404
 *   console.log((err as ApiError).status.message); // 'pod "missing" not found'
 * }
 * ```
 */
export function createLister<T extends KubeObject>(
  indexer: ReadonlyIndexer<T>,
  resource: ListerResource,
): Lister<T> {
  const lookup = (key: string, name: string): T => {
    const obj = indexer.getByKey(key);
    if (obj === undefined) throw notFound(resource, name);
    return obj;
  };
  const inNamespace = (namespace: string): T[] => {
    if (Object.hasOwn(indexer.getIndexers(), NAMESPACE_INDEX)) {
      return indexer.byIndex(NAMESPACE_INDEX, namespace);
    }
    return indexer.list().filter((obj) => (obj.metadata?.namespace ?? "") === namespace);
  };
  return {
    list: (selector) => filterByLabels(indexer.list(), selector),
    get: (name) => lookup(name, name),
    namespace: (namespace) => {
      if (typeof namespace !== "string") {
        throw new TypeError(`namespace must be a string, got ${typeof namespace}`);
      }
      return {
        list: (selector) =>
          filterByLabels(namespace === "" ? indexer.list() : inNamespace(namespace), selector),
        get: (name) => lookup(namespace === "" ? name : `${namespace}/${name}`, name),
      };
    },
  };
}
