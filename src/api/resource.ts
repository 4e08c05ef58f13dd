/**
 * Typed resource descriptors: what the client needs to build request paths
 * and what the fake apiserver needs to serve a kind.
 *
 * @module
 */

import type { KubeObject } from "./meta.ts";

/**
 * Describes one Kubernetes resource type. The type parameter carries the
 * object type, so `client.resource(pods)` is a `ResourceClient<Pod>` without
 * casts. Build one with {@linkcode defineResource}.
 */
export interface ResourceDescriptor<T extends KubeObject = KubeObject> {
  /** API group; `""` for the core group. */
  readonly group: string;
  /** API version within the group, such as `v1`. */
  readonly version: string;
  /** `group/version`, or just `version` for the core group. */
  readonly apiVersion: string;
  /** Kind, such as `Pod`. */
  readonly kind: string;
  /** Kind of the list, such as `PodList`. */
  readonly listKind: string;
  /** Plural resource name used in paths, such as `pods`. */
  readonly plural: string;
  /** Singular lowercase name, such as `pod`. */
  readonly singular: string;
  /** Whether objects live in namespaces. */
  readonly namespaced: boolean;
  /** Short names kubectl accepts, such as `po`. */
  readonly shortNames: readonly string[];
  /** Discovery categories, such as `all`. */
  readonly categories: readonly string[];
  /** Subresources the server serves, such as `status`. */
  readonly subresources: readonly string[];
  /** Verbs the resource serves, such as `list` and `watch`. */
  readonly verbs: readonly string[];
  /** Type-only marker; never set at runtime. */
  readonly __object?: T;
}

/** Input of {@linkcode defineResource}. */
export interface ResourceDefinition {
  /** API group; `""` (the default) for the core group. */
  group?: string;
  /** API version, such as `v1`. */
  version: string;
  /** Kind, such as `Widget`. */
  kind: string;
  /** Plural resource name, such as `widgets`. */
  plural: string;
  /** Singular name; defaults to the lowercased kind. */
  singular?: string;
  /** Whether objects live in namespaces. */
  namespaced: boolean;
  /** Short names. @default {[]} */
  shortNames?: readonly string[];
  /** Discovery categories. @default {[]} */
  categories?: readonly string[];
  /** Subresources. @default {["status"]} */
  subresources?: readonly string[];
  /**
   * Verbs the resource serves.
   *
   * @default {["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]}
   */
  verbs?: readonly string[];
}

/** The verbs of a resource that serves everything, as discovery lists them. */
const ALL_VERBS: readonly string[] = Object.freeze([
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
]);

/**
 * Builds a typed descriptor for any resource, built-in or custom.
 *
 * @typeParam T The object type the resource holds.
 * @param definition Group, version, kind, plural and scope.
 * @returns A frozen descriptor.
 *
 * @example A custom resource
 * ```ts
 * import { defineResource } from "@kubesnap/kubesnap";
 * import type { KubeObject } from "@kubesnap/kubesnap";
 * interface Widget extends KubeObject { spec?: { size?: number } }
 * const widgets = defineResource<Widget>({
 *   group: "example.com",
 *   version: "v1",
 *   kind: "Widget",
 *   plural: "widgets",
 *   namespaced: true,
 * });
 * console.log(widgets.apiVersion); // "example.com/v1"
 * ```
 */
export function defineResource<T extends KubeObject>(
  definition: ResourceDefinition,
): ResourceDescriptor<T> {
  const group = definition.group ?? "";
  for (
    const [field, value] of Object.entries({
      version: definition.version,
      kind: definition.kind,
      plural: definition.plural,
    })
  ) {
    if (typeof value !== "string" || value === "") {
      throw new TypeError(`defineResource: "${field}" must be a non-empty string`);
    }
  }
  return Object.freeze({
    group,
    version: definition.version,
    apiVersion: group === "" ? definition.version : `${group}/${definition.version}`,
    kind: definition.kind,
    listKind: `${definition.kind}List`,
    plural: definition.plural,
    singular: definition.singular ?? definition.kind.toLowerCase(),
    namespaced: definition.namespaced,
    shortNames: Object.freeze([...(definition.shortNames ?? [])]),
    categories: Object.freeze([...(definition.categories ?? [])]),
    subresources: Object.freeze([...(definition.subresources ?? ["status"])]),
    verbs: definition.verbs === undefined ? ALL_VERBS : Object.freeze([...definition.verbs]),
  });
}
